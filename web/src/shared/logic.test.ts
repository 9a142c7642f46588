import { describe, expect, it } from 'vitest';
import { filtersFromSearch, initials, listQuery, searchFromFilters, statusTick } from './logic';

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

  // The list's times moved to clinicShortTime (src/orgs/rules.ts), tested there in the clinic's zone.
  // Durations and waits moved to formatDuration (src/i18n/format.ts), tested there per locale.
});
