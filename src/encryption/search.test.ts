import { describe, expect, it } from 'vitest';
import { keyRing } from './keys.js';
import { searchQuery, searchVector, searchWords } from './search.js';

const ring = keyRing(Buffer.alloc(32, 1));
const rotating = keyRing(Buffer.alloc(32, 2), [Buffer.alloc(32, 1)]);

/** What PostgreSQL's `@@` answers for these literals: every AND group of some OR branch in the vector. */
function matches(vector: string, query: string | null): boolean {
  if (!query) return false;
  const tokens = new Set(vector.split(' '));
  return query.split(' | ').some((group) => group.replace(/[()]/g, '').split(' & ').every((t) => tokens.has(t)));
}

describe('search words', () => {
  it.each([
    ['crown loose', ['crown', 'loose']],
    ["  Can't   SLEEP!! ", ['can', 't', 'sleep']],
    ['a & b | !c', ['a', 'b', 'c']],
    ['Zahnärztin', ['zahnärztin']],
    ['&&& ***', []],
  ])('%j → %j', (q, expected) => {
    expect(searchWords(q)).toEqual(expected);
  });
});

describe('blind index', () => {
  const vector = searchVector(ring, 'My crown came loose after the appointment on Thursday');

  it('stores no word of the text', () => {
    for (const word of ['crown', 'loose', 'cro', 'thursday']) expect(vector).not.toContain(word);
    expect(vector).toMatch(/^[0-9a-f]{12}( [0-9a-f]{12})*$/);
  });

  it.each([
    ['crown', true],
    ['CROWN loose', true],
    ['cro', true],
    ['appoint', true],
    ['appointments', true], // past 10 characters only the first 10 count
    ['crowd', false],
    ['crown tooth', false],
    ['rown', false], // prefixes, not infixes
  ])('%j matches: %s', (q, expected) => {
    expect(matches(vector, searchQuery(ring, q))).toBe(expected);
  });

  it('matches one- and two-letter words whole', () => {
    const v = searchVector(ring, 'X ray at 9 am');
    expect(matches(v, searchQuery(ring, 'am'))).toBe(true);
    expect(matches(v, searchQuery(ring, 'a'))).toBe(false);
  });

  it('finds text indexed under the previous key during a rotation, and under the new one', () => {
    expect(matches(vector, searchQuery(rotating, 'crown'))).toBe(true);
    expect(matches(searchVector(rotating, 'crown'), searchQuery(rotating, 'crown'))).toBe(true);
    expect(matches(searchVector(rotating, 'crown'), searchQuery(ring, 'crown'))).toBe(false);
  });

  it('has no query for text with no words', () => {
    expect(searchQuery(ring, '&&& ***')).toBeNull();
  });
});
