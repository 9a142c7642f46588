/**
 * The adapters' one HTTP download of an inbound file (MMS media, WhatsApp's Graph URL), capped in
 * size. Beside media.ts rather than in it: the adapters sit below contacts (the registry builds
 * them), and media.ts's notes read the attachments module's limits.
 */
import type { FetchedMedia } from './types.js';

/** Thrown for a failure that may pass (a 5xx, a timeout): the job is tried again with backoff. */
export class MediaUnavailable extends Error {}

/**
 * GETs a file, reading at most `maxBytes` of it: a declared or actual size over the limit stops the
 * download. 404/410 mean the provider no longer has it; other refusals and network trouble throw
 * MediaUnavailable, to be tried again.
 */
export async function downloadCapped(url: string, headers: Record<string, string>, maxBytes: number): Promise<FetchedMedia> {
  let res: Response;
  try {
    res = await fetch(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(60_000) });
  } catch (e) {
    throw new MediaUnavailable(`could not be reached (${(e as Error).message})`);
  }
  if (res.status === 404 || res.status === 410) {
    await res.body?.cancel();
    return { kind: 'gone', reason: `the provider no longer has it (HTTP ${res.status})` };
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new MediaUnavailable(`answered HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await res.body.cancel();
    return { kind: 'too_large', bytes: declared };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = res.body.getReader();
  try {
    for (let part = await reader.read(); !part.done; part = await reader.read()) {
      size += part.value.length;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        return { kind: 'too_large', bytes: Number.isFinite(declared) ? declared : size };
      }
      chunks.push(Buffer.from(part.value));
    }
  } catch (e) {
    throw new MediaUnavailable(`broke off mid-download (${(e as Error).message})`);
  }
  return { kind: 'fetched', content: Buffer.concat(chunks) };
}
