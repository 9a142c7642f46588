import { describe, expect, it } from 'vitest';
import { preparedOnce } from './client.js';

const nameOf = (query: unknown) => (query as { name?: string }).name;

describe('which statements are prepared (issue 21)', () => {
  it('names a statement after its text: the same text, the same name; another text, another', () => {
    const prepared = new Set<string>();
    const a = nameOf(preparedOnce({ text: 'select 1 where $1 = 1', values: [1] }, prepared));
    expect(a).toMatch(/^fd_[\w-]{22}$/);
    expect(nameOf(preparedOnce({ text: 'select 1 where $1 = 1', values: [2] }, prepared))).toBe(a);
    expect(nameOf(preparedOnce({ text: 'select 2 where $1 = 1', values: [1] }, prepared))).not.toBe(a);
    expect(prepared.size).toBe(2);
  });

  it('leaves DDL, searches, wide batches, strings, named statements and cursors as they are', () => {
    const prepared = new Set<string>();
    const cursor = { text: 'select 1', submit: () => {} };
    const wide = { text: `insert into t values (${Array.from({ length: 65 }, (_, i) => `$${i + 1}`).join(', ')})` };
    for (const query of [{ text: 'alter table t add column c int' }, { text: 'select 1 where true /* custom plan */' }, wide, 'select 1', { text: 'select 1', name: 'mine' }, cursor]) {
      expect(preparedOnce(query, prepared)).toBe(query);
    }
    expect(prepared.size).toBe(0);
  });

  it('prepares up to 500 statements a connection, then runs the rest unnamed', () => {
    const prepared = new Set<string>();
    for (let i = 0; i < 500; i++) expect(nameOf(preparedOnce({ text: `select ${i}` }, prepared))).toBeDefined();
    expect(nameOf(preparedOnce({ text: 'select 500' }, prepared))).toBeUndefined();
    expect(nameOf(preparedOnce({ text: 'select 7' }, prepared))).toBeDefined();
  });
});
