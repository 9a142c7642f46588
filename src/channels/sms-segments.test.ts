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
    ['{}'.repeat(80), 'GSM-7', 320, 3, 139],
    ['Café à midi? Ça va.', 'GSM-7', 19, 1, 141],
    ['See you 🙂', 'UCS-2', 10, 1, 60],
    ['Zahnärztin Łódź', 'UCS-2', 15, 1, 55],
    ['ж'.repeat(70), 'UCS-2', 70, 1, 0],
    ['ж'.repeat(71), 'UCS-2', 71, 2, 63],
    ['ж'.repeat(134), 'UCS-2', 134, 2, 0],
    ['ж'.repeat(135), 'UCS-2', 135, 3, 66],
  ])('%j → %s, %i units, %i segments, %i left', (text, encoding, units, segments, remaining) => {
    expect(smsSize(text)).toMatchObject({ encoding, units, segments, remaining });
  });
});
