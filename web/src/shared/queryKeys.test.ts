/**
 * The key factories, through TanStack Query's own matching: what a change invalidates is exactly
 * what it touched — a reply refreshes its thread, the lists and the unread count, never another
 * thread, the contacts, the settings or the reports.
 */
import { QueryClient, type QueryKey } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { keys } from './queryKeys';

function cacheWith(all: Record<string, QueryKey>) {
  const client = new QueryClient();
  for (const [name, queryKey] of Object.entries(all)) client.setQueryData(queryKey, name);
  /** The names of the cached reads an invalidation of `queryKey` marks stale. */
  const invalidatedBy = async (...queryKeys: QueryKey[]) => {
    await Promise.all(queryKeys.map((queryKey) => client.invalidateQueries({ queryKey })));
    return client.getQueryCache().findAll().filter((q) => q.state.isInvalidated).map((q) => q.state.data as string).sort();
  };
  return { invalidatedBy };
}

const everything = () => ({
  openList: keys.conversations.list({ status: 'open' }, 'rest'),
  pinned: keys.conversations.list({ status: 'open' }, 'pinned'),
  closedList: keys.conversations.list({ status: 'closed' }, 'rest'),
  unread: keys.unread(),
  thread: keys.conversation('c1'),
  otherThread: keys.conversation('c2'),
  contacts: keys.contacts.list('q=maria'),
  contact: keys.contact('k1'),
  artifacts: keys.artifacts('k1', 'all'),
  users: keys.users(),
  templates: keys.templates(),
  smsInbox: keys.smsInbox.status(),
  numbers: keys.smsInbox.available('415'),
  report: keys.reports.conversions(),
  portalThread: keys.portal.thread('c1'),
});

describe('query keys', () => {
  it('a reply refreshes its thread, every list and the unread count; nothing else', async () => {
    expect(await cacheWith(everything()).invalidatedBy(keys.conversation('c1'), keys.conversations.all)).toEqual(['closedList', 'openList', 'pinned', 'thread', 'unread']);
  });

  it('a contact\'s change reaches its artifacts, not another area', async () => {
    expect(await cacheWith(everything()).invalidatedBy(keys.contact('k1'))).toEqual(['artifacts', 'contact']);
  });

  it('the SMS inbox\'s keys sit under one root, the portal\'s apart from the staff app\'s', async () => {
    expect(await cacheWith(everything()).invalidatedBy(keys.smsInbox.all)).toEqual(['numbers', 'smsInbox']);
    expect(await cacheWith(everything()).invalidatedBy(keys.portal.all)).toEqual(['portalThread']);
  });

  it('tells lists apart by their filters and part, and threads by id', () => {
    expect(keys.conversations.list({ status: 'open' }, 'rest')).not.toEqual(keys.conversations.list({ status: 'closed' }, 'rest'));
    expect(keys.conversations.list({}, 'pinned')).not.toEqual(keys.conversations.list({}, 'rest'));
    expect(keys.conversation('a')).not.toEqual(keys.conversation('b'));
    expect(keys.conversation('a')).toEqual(keys.conversation('a'));
  });
});
