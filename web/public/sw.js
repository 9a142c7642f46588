/*
 * Frontdesk's service worker. It keeps the app shell — the page, its hashed scripts and styles, the
 * manifest and icons — so the app opens at once and installs; it never stores an API answer or
 * anything else of a patient (requests under /api/, /webhooks/, /fhir/ and every other path pass
 * through untouched). It shows Web Push notifications, which carry no health data, and a click
 * opens the conversation.
 */
const shell = 'frontdesk-shell-v1';
const fixed = ['/', '/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png'];

/** The page and the built files it names (their names change with every build). */
async function cacheShell() {
  const cache = await caches.open(shell);
  const page = await fetch('/', { cache: 'no-cache', credentials: 'omit' });
  const html = await page.clone().text();
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  await cache.put('/', page);
  await cache.addAll([...fixed.slice(1), ...assets]);
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== shell).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

const isShellFile = (url) => url.pathname.startsWith('/assets/') || url.pathname.startsWith('/icons/') || url.pathname === '/manifest.webmanifest';

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && !/^\/(api|webhooks|fhir|docs)\b/.test(url.pathname)) {
    // The network first (the page is tiny and holds no data); offline, the shell.
    event.respondWith(fetch(request).catch(() => caches.match('/')));
  } else if (isShellFile(url)) {
    event.respondWith(
      caches.match(request).then(
        (hit) =>
          hit ??
          fetch(request).then((response) => {
            if (response.ok && url.pathname.startsWith('/assets/')) {
              const copy = response.clone();
              void caches.open(shell).then((cache) => cache.put(request, copy));
            }
            return response;
          }),
      ),
    );
  }
});

self.addEventListener('push', (event) => {
  const data = event.data ? event.data.json() : { title: 'New message', body: '', url: '/' };
  event.waitUntil(
    self.registration.showNotification(data.title, {
      body: data.body,
      tag: data.conversationId ? `conversation-${data.conversationId}` : 'frontdesk',
      icon: '/icons/icon-192.png',
      badge: '/icons/maskable-192.png',
      data: { url: data.url ?? '/' },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL(event.notification.data?.url ?? '/', self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
      return open ? open.focus().then((w) => w.navigate(url)) : self.clients.openWindow(url);
    }),
  );
});
