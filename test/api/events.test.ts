import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbound, setupApp, signupOrg, type Client, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let base: string;
beforeAll(async () => {
  ctx = await setupApp();
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
});

interface Frame {
  event: string;
  data: any;
}

/** An open event stream, read frame by frame. */
class Stream {
  private frames: Frame[] = [];
  private waiters: (() => void)[] = [];
  private controller = new AbortController();

  static async open(client: Client): Promise<Stream> {
    const stream = new Stream();
    const res = await fetch(`${base}/api/v1/events`, { headers: { cookie: client.auth.cookie! }, signal: stream.controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    void stream.pump(res.body!.getReader());
    await stream.next((f) => f.event === 'ready');
    return stream;
  }

  private async pump(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (event) this.frames.push({ event, data: data ? JSON.parse(data) : null });
          this.waiters.splice(0).forEach((w) => w());
        }
      }
    } catch {
      // aborted
    }
  }

  /** The first frame (seen or yet to come) that matches; fails after `ms`. */
  async next(match: (f: Frame) => boolean, ms = 5000): Promise<Frame> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching event; saw ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  seen(match: (f: Frame) => boolean): boolean {
    return this.frames.some(match);
  }

  close(): void {
    this.controller.abort();
  }
}

const streams: Stream[] = [];
afterAll(() => streams.forEach((s) => s.close()));
const open = async (client: Client) => {
  const s = await Stream.open(client);
  streams.push(s);
  return s;
};

describe('live events (M8, B1)', () => {
  let org: Org;
  beforeAll(async () => {
    org = await signupOrg(ctx.app);
  });

  it('sends the unread count on connect, then message.created and the new count when a patient writes', async () => {
    const stream = await open(org.owner);
    await stream.next((f) => f.event === 'unread.count' && f.data.unread === 0);
    const { conversationId, messageId } = await inbound(org, 'Hello?', '+14155550701');
    const created = await stream.next((f) => f.event === 'message.created' && f.data.messageId === messageId);
    expect(created.data).toEqual({ type: 'message.created', clinicId: org.clinicId, conversationId, messageId });
    await stream.next((f) => f.event === 'unread.count' && f.data.unread === 1);
    await org.owner.post(`/api/v1/conversations/${conversationId}/read`);
    await stream.next((f) => f.event === 'conversation.updated' && f.data.conversationId === conversationId);
    await stream.next((f) => f.event === 'unread.count' && f.data.unread === 0);
  });

  it('never carries message text', async () => {
    const stream = await open(org.owner);
    const { messageId } = await inbound(org, 'CONFIDENTIAL-LAB-RESULT', '+14155550702');
    const created = await stream.next((f) => f.data?.messageId === messageId);
    expect(JSON.stringify(created)).not.toContain('CONFIDENTIAL');
  });

  it('reaches only the organization, and only the clinics the user works at', async () => {
    const other = await signupOrg(ctx.app);
    const elsewhere = (await org.owner.post('/api/v1/clinics', { name: 'Elsewhere' })).body.id;
    const nurse = await org.addUser('nurse', { clinicIds: [elsewhere] });
    const outsider = await open(other.owner);
    const nurseStream = await open(nurse.client);
    const mine = await open(org.owner);

    const hidden = await inbound(org, 'Main clinic only', '+14155550703');
    const visible = await inbound(org, 'Elsewhere', '+14155550704', { clinicId: elsewhere });
    const theirs = await inbound(other, 'Their own', '+14155550705');

    await mine.next((f) => f.data?.messageId === hidden.messageId);
    await nurseStream.next((f) => f.data?.messageId === visible.messageId);
    await outsider.next((f) => f.data?.messageId === theirs.messageId);
    // By now each stream has had its chance at the earlier events.
    expect(nurseStream.seen((f) => f.data?.messageId === hidden.messageId)).toBe(false);
    expect(outsider.seen((f) => f.data?.conversationId === hidden.conversationId || f.data?.conversationId === visible.conversationId)).toBe(false);
    expect(mine.seen((f) => f.data?.messageId === theirs.messageId)).toBe(false);
  });

  it('needs a signed-in user with the send_messages privilege', async () => {
    expect((await fetch(`${base}/api/v1/events`)).status).toBe(401);
    const nurse = await org.addUser('nurse', { privileges: [] });
    expect((await fetch(`${base}/api/v1/events`, { headers: { cookie: nurse.client.auth.cookie! } })).status).toBe(403);
  });
});
