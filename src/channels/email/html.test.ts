import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sanitizeInboundHtml, sanitizeOutboundHtml } from './html.js';

// Real HTML replies from mailgun/talon's html_replies (test/fixtures/email/README.md).
const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/email/replies/${name}`, import.meta.url), 'utf8');

describe('inbound HTML (S4)', () => {
  it('keeps a Gmail reply readable, its quote marked, its styles gone', () => {
    const html = sanitizeInboundHtml(fixture('talon-gmail.html'));
    expect(html).toContain('Hi. I am fine.');
    expect(html).toContain('<div class="gmail_quote">');
    expect(html).not.toMatch(/style=/);
    expect(html).toContain('<a href="mailto:abc@example.com" target="_blank" rel="noopener noreferrer">');
  });

  it('an Outlook 2010 reply loses its <style> and Office markup but keeps its words', () => {
    const raw = fixture('talon-ms_outlook_2010.html');
    expect(raw).toMatch(/<style/i);
    const html = sanitizeInboundHtml(raw);
    expect(html).not.toMatch(/<style|<o:p|mso-|<meta|<head/i);
    expect(html).toMatch(/\w/);
  });

  it('no script, handler, frame, form or javascript: link survives', () => {
    const hostile = [
      '<script>alert(1)</script><p onclick="alert(2)">Hi</p>',
      '<img src=x onerror=alert(3)>',
      '<a href="javascript:alert(4)">click</a><a href="JaVaScRiPt:alert(5)">x</a>',
      '<iframe src="https://evil.example"></iframe><object data="x"></object><embed src="x">',
      '<form action="https://evil.example"><input name="password"></form>',
      '<svg><script>alert(6)</script></svg><math><mtext><img src=x onerror=alert(7)></mtext></math>',
      '<a href="//evil.example/x">protocol-relative</a><base href="https://evil.example/">',
      '<div style="background:url(https://tracker.example/p.gif)">styled</div><meta http-equiv="refresh" content="0;url=https://evil.example">',
    ].join('');
    const html = sanitizeInboundHtml(hostile);
    expect(html).not.toMatch(/<script|onerror|onclick|javascript:|<iframe|<object|<embed|<form|<input|<svg|<base|<meta|style=|tracker\.example|\/\/evil/i);
    expect(html).toContain('<p>Hi</p>');
  });

  it('a remote image waits for a click; an inline data: image shows', () => {
    const html = sanitizeInboundHtml('<img src="https://tracker.example/open.gif?u=1" width="1" height="1"><img src="data:image/png;base64,iVBORw0KGgo=" alt="logo"><img src="cid:part1">');
    expect(html).toContain('<img width="1" height="1" data-remote-src="https://tracker.example/open.gif?u=1" alt="remote image" />');
    expect(html).not.toMatch(/ src="https/);
    expect(html).toContain('<img src="data:image/png;base64,iVBORw0KGgo=" alt="logo" />');
    expect(html).toContain('<img />');
  });
});

describe('outbound HTML (S4)', () => {
  it('keeps bold, italic, lists and links; nothing else', () => {
    expect(sanitizeOutboundHtml('<div><b>Bring</b> <i>your</i> card:<ul><li>insurance</li></ul><a href="https://clinic.example/map">map</a></div><img src="x"><span style="color:red">red</span>')).toBe(
      '<div><b>Bring</b> <i>your</i> card:<ul><li>insurance</li></ul><a href="https://clinic.example/map" target="_blank" rel="noopener noreferrer">map</a></div>red',
    );
    expect(sanitizeOutboundHtml('<a href="javascript:alert(1)">x</a><script>alert(2)</script>')).toBe('<a target="_blank" rel="noopener noreferrer">x</a>');
  });
});
