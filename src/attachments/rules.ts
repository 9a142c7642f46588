/** M11: which files may be attached, judged by their bytes. */

export const maxAttachmentBytes = 25 * 1024 * 1024;

const allowed = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/heic',
  'image/heif',
  'image/tiff',
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/rtf',
  'application/x-cfb',
]);

/** Plain text has no magic number: it is text when it is valid UTF-8 without control bytes. */
function looksLikeText(bytes: Buffer): boolean {
  if (!bytes.length) return false;
  const sample = bytes.subarray(0, 64 * 1024);
  if (sample.some((b) => b === 0 || (b < 0x09) || (b > 0x0d && b < 0x20 && b !== 0x1b))) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, sample.length - 4));
    return true;
  } catch {
    return false;
  }
}

/**
 * What patients send from their phones besides photos and documents: voice notes (WhatsApp's are
 * Ogg Opus, iPhones' AAC/M4A, Android MMS AMR) and short videos (MP4, 3GPP, QuickTime).
 */
const inboundOnly = new Set(['audio/ogg', 'audio/opus', 'audio/mpeg', 'audio/mp4', 'audio/aac', 'audio/amr', 'audio/x-m4a', 'video/mp4', 'video/3gpp', 'video/quicktime']);

/** The content type to store, or null when the file is not one we accept; `inbound` adds patients' audio and video. */
export function allowedAttachmentType(detectedMime: string | null, bytes: Buffer, inbound = false): string | null {
  if (detectedMime && inbound && inboundOnly.has(detectedMime)) return detectedMime;
  if (detectedMime) return allowed.has(detectedMime) ? (detectedMime === 'application/x-cfb' ? 'application/msword' : detectedMime) : null;
  return looksLikeText(bytes) ? 'text/plain' : null;
}
