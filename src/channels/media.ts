/**
 * M11: an inbound message's files, fetched from the provider by the worker before the message is
 * filed. Limits are enforced here, and every file that is not kept leaves a note on the message
 * saying what it was and why — nothing is dropped silently. Provider quirks (auth, redirects, the
 * Graph's two steps) stay in each adapter's fetchMedia; this is plain HTTP.
 */
import { fileTypeFromBuffer } from 'file-type';
import { maxAttachmentBytes } from '../attachments/rules.js';
import type { ChannelAdapter, FetchedMedia, InboundMedia } from './types.js';
import { MediaUnavailable } from './download.js';

/** Twilio carries at most 10 files on one MMS; WhatsApp one per message. */
export const maxInboundFiles = 10;


const megabytes = (bytes: number) => `${Math.max(1, Math.round(bytes / (1024 * 1024)))} MB`;

/** What a receptionist calls the file: a photo, a video, a voice message, a PDF. */
export function mediaWord(contentType: string | undefined): string {
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('image/')) return 'photo';
  if (type.startsWith('video/')) return 'video';
  if (type.startsWith('audio/')) return 'voice message';
  if (type === 'application/pdf') return 'PDF';
  if (type.includes('vcard')) return 'contact card';
  return 'file';
}

/** The text of a message that is only files, for the thread, the list and search: "(photo)", "(2 photos)", "(photo and PDF)". */
export function filesOnly(contentTypes: string[]): string {
  const counts = new Map<string, number>();
  for (const type of contentTypes) counts.set(mediaWord(type), (counts.get(mediaWord(type)) ?? 0) + 1);
  const words = [...counts].map(([word, n]) => (n === 1 ? word : `${n} ${word}s`));
  return `(${words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words.at(-1)}` : words[0]})`;
}

export const tooLargeNote = (contentType: string | undefined, bytes: number) =>
  `[a ${megabytes(bytes)} ${mediaWord(contentType)} was not kept: over the ${megabytes(maxAttachmentBytes)} limit]`;

export const tooManyNote = (left: number) => `[${left} more file${left === 1 ? ' was' : 's were'} not kept: at most ${maxInboundFiles} files are kept from one message]`;

export const unavailableNote = (contentType: string | undefined, reason: string) => `[a ${mediaWord(contentType)} could not be fetched from the provider: ${reason}]`;

/** A name for a file the provider gave none: "photo-1.jpg", from what its bytes are. */
async function nameFor(media: InboundMedia, content: Buffer, index: number): Promise<string> {
  if (media.filename) return media.filename;
  const detected = await fileTypeFromBuffer(content);
  return `${mediaWord(detected?.mime ?? media.contentType).replace(/ /g, '-').toLowerCase()}-${index + 1}${detected ? `.${detected.ext}` : ''}`;
}

/**
 * Fetches a message's files within the limits. A provider out of reach throws (the job retries and
 * nothing is filed yet, so the message is neither lost nor doubled); on the queue's last try the
 * message is filed anyway, with a note for each file that could not be fetched.
 */
export async function collectMedia(adapter: ChannelAdapter, media: InboundMedia[], lastTry: boolean) {
  const files: { filename: string; content: Buffer }[] = [];
  const notes: string[] = [];
  const taken = media.slice(0, maxInboundFiles);
  for (const [index, item] of taken.entries()) {
    const fetched = await fetchOne(adapter, item, lastTry);
    if (fetched.kind === 'fetched') files.push({ filename: await nameFor(item, fetched.content, index), content: fetched.content });
    else notes.push(fetched.kind === 'too_large' ? tooLargeNote(item.contentType, fetched.bytes) : unavailableNote(item.contentType, fetched.reason));
  }
  if (media.length > taken.length) notes.push(tooManyNote(media.length - taken.length));
  return { files, notes };
}

async function fetchOne(adapter: ChannelAdapter, item: InboundMedia, lastTry: boolean): Promise<FetchedMedia> {
  if (!adapter.fetchMedia) return { kind: 'gone', reason: `${adapter.provider} cannot hand over files` };
  try {
    return await adapter.fetchMedia(item, maxAttachmentBytes);
  } catch (e) {
    // The last try files the message whatever went wrong: a note in place of the file, never a lost message.
    if (lastTry) return { kind: 'gone', reason: e instanceof MediaUnavailable ? `it ${e.message} on every try` : (e as Error).message };
    throw e;
  }
}
