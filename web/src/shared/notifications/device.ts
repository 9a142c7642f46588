/**
 * This device as an installed app: the service worker (app shell only, Web Push), the unread count
 * on the app's icon (Badging API, where the platform has it), and Web Push while Frontdesk is closed.
 */
import { api } from '../api';

export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  window.addEventListener('load', () => void navigator.serviceWorker.register('/sw.js').catch(() => {}));
}

export function showUnreadOnAppIcon(count: number): void {
  const badging = navigator as Navigator & { setAppBadge?: (n?: number) => Promise<void>; clearAppBadge?: () => Promise<void> };
  if (count > 0) void badging.setAppBadge?.(count).catch(() => {});
  else void badging.clearAppBadge?.().catch(() => {});
}

export const pushSupported = () => 'serviceWorker' in navigator && 'PushManager' in window;
const storedId = 'frontdesk.push-subscription';

export function pushOnThisDevice(): string | null {
  return localStorage.getItem(storedId);
}

/** Asks the browser for a push subscription with the server's key, and hands it to the server. */
export async function startPushOnThisDevice(): Promise<void> {
  const { publicKey } = await api<{ publicKey: string }>('/api/v1/push/key');
  const registration = await navigator.serviceWorker.ready;
  const key = Uint8Array.from(atob(publicKey.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  const { id } = await api<{ id: string }>('/api/v1/push/subscriptions', { method: 'POST', body: subscription.toJSON() });
  localStorage.setItem(storedId, id);
}

/** Stops pushes to this device (also at sign-out: the next person on it is not told about this user's patients). */
export async function stopPushOnThisDevice(): Promise<void> {
  const id = pushOnThisDevice();
  localStorage.removeItem(storedId);
  if (id) await api(`/api/v1/push/subscriptions/${id}`, { method: 'DELETE' }).catch(() => {});
  const registration = 'serviceWorker' in navigator ? await navigator.serviceWorker.getRegistration() : undefined;
  await (await registration?.pushManager.getSubscription())?.unsubscribe();
}
