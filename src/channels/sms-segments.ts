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

export function smsSize(text: string): SmsSize {
  let septets = 0;
  let gsm = true;
  for (const ch of text) {
    if (basic.has(ch)) septets += 1;
    else if (extended.has(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return sized('GSM-7', septets, 160, 153);
  return sized('UCS-2', text.length, 70, 67);
}

function sized(encoding: SmsSize['encoding'], units: number, single: number, multi: number): SmsSize {
  if (units <= single) return { encoding, units, segments: units === 0 ? 0 : 1, remaining: single - units, perSegment: single };
  const segments = Math.ceil(units / multi);
  return { encoding, units, segments, remaining: segments * multi - units, perSegment: multi };
}
