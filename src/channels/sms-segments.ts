/**
 * K1: how an SMS body is encoded and into how many segments it splits — GSM-7 (160 characters, 153
 * per part when split) or UCS-2 (70, 67 per part). Pure: the composer shows it, the server enforces it.
 */

const gsmBasic =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Characters of the GSM-7 extension table: each costs two septets (an escape and the character). */
const gsmExtended = '^{}\\[~]|€\f';

const basic = new Set(gsmBasic);
const extended = new Set(gsmExtended);

export interface SmsSize {
  encoding: 'GSM-7' | 'UCS-2';
  /** Characters as the carrier counts them: septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
  segments: number;
  /** Room left in the last segment before another one starts. */
  remaining: number;
  perSegment: number;
}

export const maxSmsSegments = 10;

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Each thing a reader sees as one character, with what it costs: septets in GSM-7 (null when it has none), UTF-16 code units in UCS-2. */
function characters(text: string): { septets: number | null; codeUnits: number }[] {
  return Array.from(graphemes.segment(text), ({ segment }) => ({
    septets: basic.has(segment) ? 1 : extended.has(segment) || segment === '\r\n' ? 2 : null,
    codeUnits: segment.length,
  }));
}

/**
 * K1, as carriers split a long text: each part carries a 6-byte header, so holds 153 septets or 67
 * UCS-2 units, and a character is never cut in two — a GSM-7 escape pair (€, [, ], {, }, \, ~, ^, |),
 * a UTF-16 surrogate pair (an emoji) or a letter with its combining marks moves whole to the next
 * part, leaving room unused. 152 letters, a € and 152 letters are 3 parts, not 2. Checked against
 * Twilio's segment calculator (sms-segments-calculator) by property tests.
 */
export function smsSize(text: string): SmsSize {
  const chars = characters(text);
  const gsm = chars.every((c) => c.septets !== null);
  const costs = chars.map((c) => (gsm ? c.septets! : c.codeUnits));
  return gsm ? sized('GSM-7', costs, 160, 153) : sized('UCS-2', costs, 70, 67);
}

function sized(encoding: SmsSize['encoding'], costs: number[], single: number, multi: number): SmsSize {
  const units = costs.reduce((sum, cost) => sum + cost, 0);
  if (units <= single) return { encoding, units, segments: units === 0 ? 0 : 1, remaining: single - units, perSegment: single };
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost <= multi) {
      used += cost;
      continue;
    }
    // The character starts the next part; one longer than a whole part (a long combining sequence) is cut after all.
    const parts = Math.ceil(cost / multi);
    segments += used === 0 ? parts - 1 : parts;
    used = cost - (parts - 1) * multi;
  }
  return { encoding, units, segments, remaining: multi - used, perSegment: multi };
}
