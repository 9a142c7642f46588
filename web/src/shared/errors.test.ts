import { describe, expect, it } from 'vitest';
import { errorStatus } from '../../../src/errors';
import { ApiError } from './api';
import { refusalSentence } from './errors';

const serverOnly = new Set(['bad_signature', 'bad_verify_token', 'unroutable']);

describe('refusals as sentences (defect 4)', () => {
  it('has a sentence with a next step for every code a person can meet', () => {
    for (const code of Object.keys(errorStatus).filter((c) => !serverOnly.has(c))) {
      const sentence = refusalSentence(new ApiError(errorStatus[code as keyof typeof errorStatus], code, 'raw api detail'), { name: 'Maria' });
      // channel_unavailable carries channelGap's own sentence ("email needs the contact's email address").
      if (code !== 'channel_unavailable') expect(sentence, code).not.toMatch(/raw api detail/);
      expect(sentence, code).not.toMatch(/did not work\. Try again; if/);
      expect(sentence, code).toMatch(/^[A-Z].*\.$/);
    }
  });

  it('never shows the API’s raw sentence, names the patient, and keeps the app’s own checks', () => {
    const raw = new ApiError(422, 'invalid_number', 'cannot text or message Maria: a phone number needs digits');
    expect(refusalSentence(raw, { name: 'Maria' })).toBe('That phone number is not valid. Check the digits (with the area code) and try again.');
    expect(refusalSentence(new ApiError(422, 'opted_out', 'this contact opted out of SMS'), { name: 'Maria Gonzalez' })).toMatch(/^Maria Gonzalez opted out.*text START/);
    expect(refusalSentence(new ApiError(418, 'teapot', 'raw'))).toBe('That did not work. Try again; if it keeps failing, tell an admin.');
    expect(refusalSentence(new TypeError('Failed to fetch'))).toMatch(/could not be reached/);
    expect(refusalSentence(new Error('This patient has no invoice on file.'))).toBe('This patient has no invoice on file.');
  });
});
