import { describe, expect, it } from 'vitest';
import { filesOnly, mediaWord, tooLargeNote, tooManyNote } from './media.js';

describe('M11: what staff read about a patient\'s files', () => {
  it('names a file as a receptionist would', () => {
    expect(['image/jpeg', 'video/mp4', 'audio/ogg; codecs=opus', 'application/pdf', 'text/vcard', 'application/zip', undefined].map(mediaWord)).toEqual([
      'photo', 'video', 'voice message', 'PDF', 'contact card', 'file', 'file',
    ]);
  });

  it('gives a message of files only a text that says what came', () => {
    expect(filesOnly(['image/jpeg'])).toBe('(photo)');
    expect(filesOnly(['image/jpeg', 'image/png'])).toBe('(2 photos)');
    expect(filesOnly(['image/jpeg', 'application/pdf', 'audio/ogg'])).toBe('(photo, PDF and voice message)');
  });

  it('says why a file was not kept', () => {
    expect(tooLargeNote('video/mp4', 40 * 1024 * 1024)).toBe('[a 40 MB video was not kept: over the 25 MB limit]');
    expect(tooManyNote(1)).toBe('[1 more file was not kept: at most 10 files are kept from one message]');
    expect(tooManyNote(3)).toBe('[3 more files were not kept: at most 10 files are kept from one message]');
  });
});
