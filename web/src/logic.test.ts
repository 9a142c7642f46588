import { describe, expect, it } from 'vitest';
import { duration, filtersFromSearch, initials, listQuery, searchFromFilters, shortTime, statusTick } from './logic';

describe('filters in the URL', () => {
  it('round-trips a view, ignoring unknown parameters', () => {
    const filters = filtersFromSearch('?status=unread&channel=sms&q=%28415%29+555-0134&foo=bar');
    expect(filters).toEqual({ status: 'unread', channel: 'sms', q: '(415) 555-0134' });
    expect(filtersFromSearch(searchFromFilters(filters, 'abc'))).toEqual(filters);
    expect(new URLSearchParams(searchFromFilters(filters, 'abc')).get('c')).toBe('abc');
    expect(searchFromFilters({}, null)).toBe('');
  });

  it('asks for pinned threads apart from the rest', () => {
    expect(listQuery({ status: 'open' }, 'pinned')).toBe('/api/v1/conversations?status=open&pinned=true&limit=20');
    expect(listQuery({}, 'rest', 'CUR')).toBe('/api/v1/conversations?pinned=false&limit=50&cursor=CUR');
  });
});

describe('labels', () => {
  it.each([
    ['queued', 'Queued'],
    ['sent', 'Sent'],
    ['delivered', 'Delivered'],
    ['read', 'Read'],
    ['failed', 'Failed'],
    ['replied', 'Replied'],
  ])('status %s', (status, label) => {
    expect(statusTick(status).label).toBe(label);
  });

  it.each([
    ['Maria Gonzalez', 'MG'],
    ['Dr. Priya Patel', 'PP'],
    ['cher', 'C'],
    ['Anna Maria de la Cruz', 'AM'],
  ])('initials of %s', (name, expected) => {
    expect(initials(name)).toBe(expected);
  });

  it('formats times and durations', () => {
    const now = new Date('2026-03-10T15:00:00');
    expect(shortTime('2026-03-10T09:05:00', now)).toMatch(/09:05|9:05/);
    expect(shortTime('2025-01-02T09:05:00', now)).toMatch(/2025/);
    expect(duration(240)).toBe('4 min');
    expect(duration(95)).toBe('1 min 35 s');
    expect(duration(40)).toBe('40 s');
  });
});
