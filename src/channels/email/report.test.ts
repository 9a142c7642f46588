import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { failureReason, fieldGroups, isMailSystemAddress, readDeliveryReport } from './report.js';

// Real reports from the sisimai and Mail::DeliveryStatus::BounceParser corpora: test/fixtures/email/README.md.
const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/email/${name}`, import.meta.url));
const reportIn = async (name: string) => readDeliveryReport(await simpleParser(fixture(name), { keepDeliveryStatus: true }));

describe('delivery reports (RFC 3464)', () => {
  it('reads a Postfix failure: the recipient, the status and the returned message', async () => {
    expect(await reportIn('sisimai-lhost-postfix-04.eml')).toEqual({
      failed: [{ recipient: 'kijitora@example.co.jp', status: '5.1.1', reason: '5.1.1 Address rejected' }],
      originalMessageIds: ['<A8F82EDD-E518-4F5C-8C70-BC4EFF24AB9F@example.ne.jp>'],
    });
  });

  it('reads Exchange and Exim failures', async () => {
    const exchange = await reportIn('sisimai-lhost-exchange2007-07.eml');
    expect(exchange?.failed).toEqual([{ recipient: 'kijitora@example.jp', status: '5.1.1', reason: '5.1.1 RESOLVER.ADR.RecipNotFound; not found' }]);
    expect(exchange?.originalMessageIds).toContain('<QCw92c-juIk7Y-w6@neko.example.com>');
    const exim = await reportIn('sisimai-lhost-exim-29.eml');
    expect(exim?.failed[0]).toMatchObject({ recipient: 'kijitora@example.co.jp', status: '5.0.0' });
    expect(exim?.failed[0].reason).toMatch(/^5\.0\.0 Bad SPF records for/);
    expect(exim?.originalMessageIds).toEqual(['<EEEEEEE-222222-00@example.co.jp>']);
  });

  it('a delay is a report with no failure; Gmail names the original in X-Original-Message-ID and In-Reply-To', async () => {
    expect((await reportIn('sisimai-rfc3464-09.eml'))?.failed).toEqual([]);
    const gmail = await reportIn('sisimai-rfc3464-55.eml');
    expect(gmail).toEqual({ failed: [], originalMessageIds: ['<CAByYQsFyrGN=Aa73R9b-3-tiR7uFpUan+9CAWRmKP4z_GriF5Q@mail.gmail.example.com>'] });
  });

  it('mail without a delivery-status part is no report, even from postmaster', async () => {
    expect(await reportIn('bounceparser-exchange.unknown.eml')).toBeNull();
    expect(await reportIn('bounceparser-autoreply.eml')).toBeNull();
  });

  it('knows the mail system by its addresses', () => {
    for (const a of ['MAILER-DAEMON@mx.example.com', 'postmaster@example.net', 'Mailer-Daemon@example.co.jp']) expect(isMailSystemAddress(a)).toBe(true);
    for (const a of ['erin@example.com', 'post@example.com', 'daemon.fan@example.com']) expect(isMailSystemAddress(a)).toBe(false);
  });

  it('unfolds continuation lines and keeps the reason short and readable', () => {
    expect(fieldGroups('Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; a@b\nDiagnostic-Code: smtp; 550-5.1.1 The email\n    account does not exist')).toEqual([
      new Map([['reporting-mta', 'dns; mx']]),
      new Map([['final-recipient', 'rfc822; a@b'], ['diagnostic-code', 'smtp; 550-5.1.1 The email account does not exist']]),
    ]);
    expect(failureReason('5.1.1', 'smtp; 550-5.1.1 The email account that you tried to reach does not exist. 550 5.1.1 <a@b.c>', 'a@b.c')).toBe(
      '5.1.1 The email account that you tried to reach does not exist.',
    );
    expect(failureReason('5.2.2', undefined)).toBe('5.2.2 the receiving mail server refused the address');
    expect(failureReason('5.0.0', 'x'.repeat(500)).length).toBeLessThanOrEqual(200);
  });
});
