import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { isAutomaticMail } from './automatic.js';

const headersOf = async (raw: string | Buffer) => (await simpleParser(raw)).headers;
const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/email/${name}`, import.meta.url));

describe('automatic mail (RFC 3834)', () => {
  it('knows real responders by their headers', async () => {
    for (const file of ['sisimai-rfc3834-01.eml', 'sisimai-rfc3834-03.eml', 'sisimai-rfc3834-04.eml', 'bounceparser-autoreply.eml', 'bounceparser-polish-autoreply.eml']) {
      expect(isAutomaticMail(await headersOf(fixture(file))), file).toBe(true);
    }
  });

  it('Auto-Submitted: no, and mail with none of the headers, is a person writing', async () => {
    expect(isAutomaticMail(await headersOf('From: a@b.example\r\nAuto-Submitted: no\r\nSubject: hi\r\n\r\nhello\r\n'))).toBe(false);
    expect(isAutomaticMail(await headersOf('From: a@b.example\r\nPrecedence: first-class\r\nSubject: hi\r\n\r\nhello\r\n'))).toBe(false);
    expect(isAutomaticMail(await headersOf('From: a@b.example\r\nSubject: Automatic reply in my words\r\n\r\nhello\r\n'))).toBe(false);
  });

  it('every header the RFC and the big clients use', async () => {
    for (const header of ['Auto-Submitted: auto-generated', 'Auto-Submitted: auto-replied; owner-email="a@b.example"', 'X-Autoreply: yes', 'X-Autorespond: Out of office', 'Precedence: list', 'X-Auto-Response-Suppress: All']) {
      expect(isAutomaticMail(await headersOf(`From: a@b.example\r\n${header}\r\n\r\nx\r\n`)), header).toBe(true);
    }
  });
});
