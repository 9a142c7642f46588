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

/** The content type to store, or null when the file is not one we accept. */
export function allowedAttachmentType(detectedMime: string | null, bytes: Buffer): string | null {
  if (detectedMime) return allowed.has(detectedMime) ? (detectedMime === 'application/x-cfb' ? 'application/msword' : detectedMime) : null;
  return looksLikeText(bytes) ? 'text/plain' : null;
}
