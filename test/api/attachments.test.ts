import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, inbound, png, setupApp, signupOrg, uploadFile, type Client, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;

beforeAll(async () => {
  ctx = await setupApp();
  org = await signupOrg(ctx.app, 'Attach Dental');
});

const upload = (client: Client, filename: string, bytes: Buffer) => uploadFile(ctx.app, client, filename, bytes);

describe('attachments (M11)', () => {
  it('reads the type from the bytes, not the name', async () => {
    const res = await upload(org.owner, 'scan.pdf', png);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ filename: 'scan.pdf', contentType: 'image/png', size: png.length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect((await upload(org.owner, 'notes.txt', Buffer.from('Allergic to penicillin.\n'))).body.contentType).toBe('text/plain');
  });

  it('refuses executables and other unknown binaries', async () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120, 1)]);
    expectProblem(await upload(org.owner, 'photo.jpg', elf), 400, 'invalid_input');
    expectProblem(await upload(org.owner, 'blob.bin', Buffer.from([0, 1, 2, 3, 255, 254, 0, 0])), 400, 'invalid_input');
  });

  it('refuses files over 25 MB with 413', async () => {
    const big = Buffer.concat([png, Buffer.alloc(25 * 1024 * 1024 + 10)]);
    expectProblem(await upload(org.owner, 'huge.png', big), 413, 'payload_too_large');
  });

  it('goes with a message on every channel but SMS, and is shown with it', async () => {
    const file = (await upload(org.owner, 'xray.png', png)).body;
    const { conversationId } = await inbound(org, 'Here is my email', 'ana@example.com', { channel: 'email' });
    const sms = await inbound(org, 'Text me', '+14155550950');
    expectProblem(await org.owner.post(`/api/v1/conversations/${sms.conversationId}/messages`, { body: 'See attached', attachmentIds: [file.id] }), 422, 'attachments_not_allowed');
    const sent = await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'Your X-ray', attachmentIds: [file.id] });
    expect(sent.status).toBe(202);
    expect(sent.body.attachments).toEqual([expect.objectContaining({ id: file.id, contentType: 'image/png' })]);
    expectProblem(await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'Again', attachmentIds: [file.id] }), 400, 'invalid_input');
  });

  it('is served to the organization only', async () => {
    const file = (await upload(org.owner, 'chart.png', png)).body;
    const mine = await ctx.app.inject({ method: 'GET', url: `/api/v1/attachments/${file.id}`, headers: { cookie: org.owner.auth.cookie! } });
    expect(mine.statusCode).toBe(200);
    expect(mine.headers['content-type']).toBe('image/png');
    expect(mine.rawPayload.equals(png)).toBe(true);
    const other = await signupOrg(ctx.app, 'Someone Else');
    expectProblem(await other.owner.get(`/api/v1/attachments/${file.id}`), 404);
    expectProblem(await other.owner.post(`/api/v1/conversations`, { email: 'x@example.com', channel: 'email', clinicId: other.clinicId, body: 'x', attachmentIds: [file.id] }), 400, 'invalid_input');
  });

  it('needs a file in the upload', async () => {
    const res = await org.owner.post('/api/v1/attachments', { file: 'not multipart' });
    expectProblem(res, 400, 'invalid_input');
  });
});

describe('attachment integrity (issue 8)', () => {
  it('a file changed on disk after upload is not served, and the failure is audited', async () => {
    const uploaded = await upload(org.owner, 'xray.png', png);
    expect(uploaded.status).toBe(201);
    expect(uploaded.body.sha256).toBe(createHash('sha256').update(png).digest('hex'));
    const ok = await ctx.app.inject({ method: 'GET', url: `/api/v1/attachments/${uploaded.body.id}`, headers: { cookie: org.owner.auth.cookie! } });
    expect(ok.statusCode).toBe(200);
    expect(ok.rawPayload.equals(png)).toBe(true);

    const [{ storage_key: key }] = (await ctx.deps.db.execute<{ storage_key: string }>(sql`select storage_key from attachments where id = ${uploaded.body.id}`)).rows;
    const file = path.join(ctx.deps.config.attachmentsDir, key);
    const tampered = Buffer.from(png);
    tampered[tampered.length - 1] ^= 0xff;
    await fs.writeFile(file, tampered);
    const refused = await org.owner.get(`/api/v1/attachments/${uploaded.body.id}`);
    expectProblem(refused, 500, 'attachment_corrupted');
    const audit = (await org.owner.get(`/api/v1/audit?subjectId=${uploaded.body.id}&outcome=failure`)).body.items;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['attachment.integrity_failure']);
  });
});
