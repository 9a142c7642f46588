import fc from 'fast-check';
import { SegmentedMessage } from 'sms-segments-calculator';
import { describe, expect, it } from 'vitest';
import { smsSize } from './sms-segments.js';

describe('K1 SMS segments', () => {
  it.each([
    ['', 'GSM-7', 0, 0, 160],
    ['Hello', 'GSM-7', 5, 1, 155],
    ['x'.repeat(160), 'GSM-7', 160, 1, 0],
    ['x'.repeat(161), 'GSM-7', 161, 2, 145],
    ['x'.repeat(306), 'GSM-7', 306, 2, 0],
    ['x'.repeat(307), 'GSM-7', 307, 3, 152],
    ['Price: 50€ [approx]', 'GSM-7', 22, 1, 138],
    // 76 pairs fill 152 of a part's 153 septets: a pair is never split, so the last part holds 16 and has 137 left.
    ['{}'.repeat(80), 'GSM-7', 320, 3, 137],
    ['Café à midi? Ça va.', 'GSM-7', 19, 1, 141],
    ['See you 🙂', 'UCS-2', 10, 1, 60],
    ['Zahnärztin Łódź', 'UCS-2', 15, 1, 55],
    ['ж'.repeat(70), 'UCS-2', 70, 1, 0],
    ['ж'.repeat(71), 'UCS-2', 71, 2, 63],
    ['ж'.repeat(134), 'UCS-2', 134, 2, 0],
    ['ж'.repeat(135), 'UCS-2', 135, 3, 66],
    // The case: the € cannot straddle the first part's end, so it opens the second.
    [`${'a'.repeat(152)}€${'a'.repeat(152)}`, 'GSM-7', 306, 3, 152],
    // Likewise an emoji's two UTF-16 units in UCS-2.
    [`${'ж'.repeat(66)}🙂${'ж'.repeat(66)}`, 'UCS-2', 134, 3, 66],
  ])('%j → %s, %i units, %i segments, %i left', (text, encoding, units, segments, remaining) => {
    expect(smsSize(text)).toMatchObject({ encoding, units, segments, remaining });
  });

  /**
   * Against Twilio's own calculator (sms-segments-calculator, TwilioDevEd/message-segment-calculator):
   * texts of GSM-7 letters, escape-table characters, other letters and emoji (surrogate pairs), long
   * enough to cross several part boundaries. Compound emoji (ZWJ sequences, skin tones) are left out:
   * the calculator reads graphemes with grapheme-splitter's older Unicode tables, the browser and
   * Node with Intl.Segmenter's, and the two disagree on some of those.
   */
  const alphabet = fc.constantFrom(...'abcXYZ 019.,?!@£$_\n', ...'€[]{}\\~^|', ...'жßñüÅ', ...'ŁłșțΩ', '🙂', '😀', '🦷', '👍', '\u00e9', 'e\u0301');
  const texts = (chars: fc.Arbitrary<string>) => fc.array(chars, { maxLength: 700 }).map((a) => a.join(''));

  it('splits as Twilio does, for GSM-7 texts with escape pairs at any boundary', () => {
    fc.assert(
      fc.property(texts(fc.constantFrom(...'abcXYZ 019.,?!@£$_\n', ...'€[]{}\\~^|')), (text) => {
        const reference = new SegmentedMessage(text, 'auto');
        const ours = smsSize(text);
        expect(ours.encoding).toBe(reference.encodingName);
        expect(ours.segments).toBe(text ? reference.segmentsCount : 0);
        expect(ours.units).toBe(reference.numberOfCharacters);
      }),
      { numRuns: 1500 },
    );
  });

  it('splits as Twilio does, for any mix that needs UCS-2, surrogate pairs at any boundary', () => {
    fc.assert(
      fc.property(texts(alphabet), (text) => {
        const reference = new SegmentedMessage(text, 'auto');
        const ours = smsSize(text);
        expect(ours.encoding).toBe(reference.encodingName);
        expect(ours.segments).toBe(text ? reference.segmentsCount : 0);
      }),
      { numRuns: 1500 },
    );
  });
});
