/** A Server-Sent Events reader for the API tests: GET /api/v1/events over real HTTP, read frame by frame. */
import { expect } from 'vitest';
import type { Client } from './helpers.js';

export interface Frame {
  event: string;
  data: any;
  /** The frame's `id:`, if it had one. */
  id?: string;
}

export class Stream {
  private frames: Frame[] = [];
  private waiters: (() => void)[] = [];
  private controller = new AbortController();
  private finished = false;

  /** Opens GET /api/v1/events as `client`, resuming from `lastEventId` when given, and waits for `ready`. */
  static async open(base: string, client: Client, lastEventId?: string): Promise<Stream> {
    const stream = new Stream();
    const headers: Record<string, string> = client.auth.bearer ? { authorization: `Bearer ${client.auth.bearer}` } : { cookie: client.auth.cookie! };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    const res = await fetch(`${base}/api/v1/events`, { headers, signal: stream.controller.signal });
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
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          const id = /^id: ?(.*)$/m.exec(block)?.[1];
          if (event) this.frames.push({ event, data: data ? JSON.parse(data) : null, ...(id === undefined ? {} : { id }) });
          this.waiters.splice(0).forEach((w) => w());
        }
      }
    } catch {
      // aborted
    }
    this.finished = true;
    this.waiters.splice(0).forEach((w) => w());
  }

  /** Resolves when the server ends the stream; fails after `ms`. */
  async ended(ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.finished) {
      if (Date.now() > deadline) throw new Error(`the stream is still open; saw ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  get isOpen(): boolean {
    return !this.finished;
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

  /** Every frame so far, in order. */
  get all(): readonly Frame[] {
    return this.frames;
  }
}
