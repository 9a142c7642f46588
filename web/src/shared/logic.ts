/** Pure UI logic: filters in the URL, labels, durations. Tested without a browser. */
import { i18next } from './i18n';
import type { Channel } from './types';

export const filterKeys = ['status', 'contactType', 'assignee', 'inboxId', 'clinicId', 'channel', 'direction', 'messageStatus', 'starred', 'overdue', 'q'] as const;
export type FilterKey = (typeof filterKeys)[number];
export type Filters = Partial<Record<FilterKey, string>>;

/** The view's filters from the address bar, so a view can be bookmarked and shared. */
export function filtersFromSearch(search: string): Filters {
  const params = new URLSearchParams(search);
  const filters: Filters = {};
  for (const key of filterKeys) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  return filters;
}

export function searchFromFilters(filters: Filters, selected: string | null): string {
  const params = new URLSearchParams();
  for (const key of filterKeys) if (filters[key]) params.set(key, filters[key]!);
  if (selected) params.set('c', selected);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The list API's query for a view; pinned threads are fetched apart and shown first. */
export function listQuery(filters: Filters, part: 'pinned' | 'rest', cursor?: string): string {
  const params = new URLSearchParams();
  for (const key of filterKeys) if (filters[key]) params.set(key, filters[key]!);
  params.set('pinned', part === 'pinned' ? 'true' : 'false');
  params.set('limit', part === 'pinned' ? '20' : '50');
  if (cursor) params.set('cursor', cursor);
  return `/api/v1/conversations?${params}`;
}

/** A channel's name in the user's language ("Email" / "Correo"). */
export const channelLabel = (channel: Channel): string => i18next.t(`staff:channels.${channel}`, { defaultValue: channel });
const shortNames: Partial<Record<Channel, string>> = { whatsapp: 'WA' };
/** The list's pill: "SMS", "WA"; a channel the app has no short name for shows its own. */
export const channelShort = (channel: Channel): string => shortNames[channel] ?? channel.toUpperCase();

/** Status ticks as a person reads them. */
export function statusTick(status: string): { mark: string; label: string } {
  switch (status) {
    case 'queued':
      return { mark: '🕓', label: i18next.t('staff:ticks.queued') };
    case 'sent':
      return { mark: '✓', label: i18next.t('staff:ticks.sent') };
    case 'delivered':
      return { mark: '✓✓', label: i18next.t('staff:ticks.delivered') };
    case 'read':
      return { mark: '✓✓', label: i18next.t('staff:ticks.read') };
    case 'failed':
      return { mark: '⚠', label: i18next.t('staff:ticks.failed') };
    default:
      return { mark: '', label: status[0].toUpperCase() + status.slice(1) };
  }
}

export function initials(name: string): string {
  return name
    .replace(/^(dr|mr|mrs|ms)\.?\s+/i, '')
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');
}
