import { describe, expect, it } from 'vitest';
import { keyRing } from './keys.js';
import { indexMarker, searchQuery, searchVector, searchWords } from './search.js';

const ring = keyRing(Buffer.alloc(32, 1));
const rotating = keyRing(Buffer.alloc(32, 2), [Buffer.alloc(32, 1)]);
const orgA = '0a0a0a0a-0000-4000-8000-000000000001';
const orgB = '0b0b0b0b-0000-4000-8000-000000000002';

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
  const vector = searchVector(ring, orgA, 'My crown came loose after the appointment on Thursday');

  it('stores no word of the text', () => {
    for (const word of ['crown', 'loose', 'cro', 'thursday']) expect(vector).not.toContain(word);
    expect(vector).toMatch(new RegExp(`^${indexMarker(ring.current.id)}( [0-9a-f]{12})+$`));
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
    expect(matches(vector, searchQuery(ring, orgA, q))).toBe(expected);
  });

  it('matches one- and two-letter words whole', () => {
    const v = searchVector(ring, orgA, 'X ray at 9 am');
    expect(matches(v, searchQuery(ring, orgA, 'am'))).toBe(true);
    expect(matches(v, searchQuery(ring, orgA, 'a'))).toBe(false);
  });

  it('finds text indexed under the previous key during a rotation, and under the new one', () => {
    expect(matches(vector, searchQuery(rotating, orgA, 'crown'))).toBe(true);
    expect(matches(searchVector(rotating, orgA, 'crown'), searchQuery(rotating, orgA, 'crown'))).toBe(true);
    expect(matches(searchVector(rotating, orgA, 'crown'), searchQuery(ring, orgA, 'crown'))).toBe(false);
  });

  it('indexes each organization under its own key: equal words give unrelated tokens', () => {
    const a = searchVector(ring, orgA, 'crown loose crown');
    const b = searchVector(ring, orgB, 'crown loose crown');
    const tokens = (v: string) => new Set(v.split(' ').slice(1));
    expect([...tokens(a)].filter((t) => tokens(b).has(t))).toEqual([]);
    expect(matches(b, searchQuery(ring, orgA, 'crown'))).toBe(false);
    expect(matches(b, searchQuery(ring, orgB, 'crown'))).toBe(true);
  });

  it('has no query for text with no words', () => {
    expect(searchQuery(ring, orgA, '&&& ***')).toBeNull();
  });
});
