import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { splitQuotedReply } from './quoted.js';

// Real replies: mailgun/talon's standard_replies (Gmail, Apple Mail, Outlook, Hotmail, Yahoo, AOL,
// iPhone, Thunderbird) and Crisp's email-reply-parser fixtures: test/fixtures/email/README.md.
const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/email/replies/${name}`, import.meta.url));
const plainOf = async (name: string) => (await simpleParser(fixture(name))).text ?? '';

describe('quoted history (S4)', () => {
  it('keeps only the new text of a reply', () => {
    expect(splitQuotedReply('Thursday works.\n\nOn Mon, 2 Mar 2026 at 10:00, Riverside <inbox@x.test> wrote:\n> Can you come Thursday?').reply).toBe('Thursday works.');
    expect(splitQuotedReply('Yes\n> quoted').reply).toBe('Yes');
    expect(splitQuotedReply('Plain message')).toEqual({ reply: 'Plain message', original: null });
  });

  it.each(['gmail', 'apple_mail', 'apple_mail_2', 'outlook', 'hotmail', 'yahoo', 'aol', 'thunderbird'])('talon %s.eml: "Hello", the whole mail kept beside it', async (client) => {
    const text = await plainOf(`talon-${client}.eml`);
    const split = splitQuotedReply(text);
    expect(split.reply).toBe('Hello');
    expect(split.original).toBe(text.replace(/\r\n/g, '\n').trim());
  });

  it('talon iphone.eml keeps the signature above the quote, as talon expects', async () => {
    expect(splitQuotedReply(await plainOf('talon-iphone.eml')).reply).toBe(fixture('talon-iphone_reply_text').toString().trim());
  });

  const first = fixture('crisp-email_german_outlook.txt').toString().split('\n\n')[0].trim();
  it.each(['email_german_outlook', 'email_outlook_split_line_from', 'email_original_message', 'email_gmail_split_line_from', 'email_french_2'])('crisp %s.txt: only the first paragraph', (name) => {
    expect(splitQuotedReply(fixture(`crisp-${name}.txt`).toString()).reply).toBe(first);
  });

  it('crisp email_2.txt (bottom-posted): the answer under the quote is kept, the quote is not', () => {
    const { reply } = splitQuotedReply(fixture('crisp-email_2.txt').toString());
    expect(reply).toMatch(/^Hi,\n\nYou can list the keys for the bucket/);
    expect(reply).not.toContain('> Hi folks');
    expect(reply).not.toMatch(/^On Tue, 2011-03-01/m);
  });

  // Outlook's header block without an <address> on its From line, in the languages talon's own tests write it.
  it.each([
    ['English', 'From: somebody@example.com\nSent: March-19-11 5:42 PM\nTo: Somebody\nSubject: The manager has commented on your Loop'],
    ['German', 'Von: somebody@example.com\nGesendet: Dienstag, 25. November 2014 14:59\nAn: Somebody\nBetreff: The manager has commented on your Loop'],
    ['French', 'De : Brendan xxx [mailto:brendan.xxx@xxx.com]\nEnvoyé : vendredi 23 janvier 2015 16:39\nÀ : Camille XXX\nObjet : Follow Up'],
    ['Danish', 'Fra: somebody@example.com\nSendt: 19. march 2011 12:10\nTil: Somebody\nEmne: The manager has commented on your Loop'],
    ['Swedish', 'Från: Anno Sportel [mailto:anno.spoel@hsbcssad.com]\nSkickat: den 26 augusti 2015 14:45\nTill: Isacson Leiff\nÄmne: RE: Week 36'],
    ['Outlook web', '________________________________\nFrom: Mail Dental Main\nSent: Monday, March 2, 2026 10:00 AM\nTo: Erin Patient\nSubject: Your conversation with Mail Dental Main'],
  ])('an Outlook %s header block ends the reply', (_language, block) => {
    const text = `Allo! Follow up MIME!\n\n${block}\n\nBlah-blah-blah\n`;
    expect(splitQuotedReply(text)).toEqual({ reply: 'Allo! Follow up MIME!', original: text.trim() });
  });

  it('a forward with no words of its own is shown whole', () => {
    const text = '-----Original Message-----\nFrom: a@b.example\n\nthe forwarded text';
    expect(splitQuotedReply(text)).toEqual({ reply: text, original: null });
  });

  it('costs little on hostile input: only the head of a long text is read', () => {
    const started = performance.now();
    for (const text of ['De: ' + '<'.repeat(200_000), 'On '.repeat(60_000), '2026.'.repeat(40_000)]) splitQuotedReply(text);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
