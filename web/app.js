// The minimal staff inbox: sign in, list, read, reply. The React app of the web-app issue replaces it.
const $ = (id) => document.getElementById(id);
let me = null;
let activeId = null;

async function api(path, options = {}) {
  const headers = { ...(options.body ? { 'content-type': 'application/json' } : {}) };
  if (options.method && options.method !== 'GET' && me?.csrfToken) headers['x-csrf-token'] = me.csrfToken;
  const res = await fetch(path, { ...options, headers, body: options.body ? JSON.stringify(options.body) : undefined });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (res.status === 401 && me) return showSignIn();
  if (!res.ok) throw new Error(data?.detail ?? `request failed (${res.status})`);
  return data;
}

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) node.append(child);
  return node;
}

const time = (iso) => new Date(iso).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });

function showSignIn() {
  me = null;
  events?.close();
  $('inbox').hidden = true;
  $('signin').hidden = false;
}

async function showInbox() {
  if (me.privileges.includes('send_messages')) listen();
  $('signin').hidden = true;
  $('inbox').hidden = false;
  $('org-name').textContent = me.organization.name;
  $('user-name').textContent = `${me.user.name} (${me.role.replace('_', ' ')})`;
  const clinics = $('clinic-filter');
  clinics.replaceChildren(el('option', { value: '', textContent: 'All clinics' }), ...me.clinics.map((c) => el('option', { value: c.id, textContent: c.name })));
  $('simulate-open').hidden = !['main_admin', 'admin'].includes(me.role);
  $('simulate-clinic').replaceChildren(...me.clinics.map((c) => el('option', { value: c.id, textContent: c.name })));
  await refresh();
}

async function refresh() {
  if (!me.privileges.includes('send_messages')) {
    $('list').replaceChildren(el('li', { className: 'empty', textContent: 'You need the "send messages" privilege to open the inbox. Ask an admin.' }));
    return;
  }
  const params = new URLSearchParams();
  const q = $('search').value.trim();
  if (q) params.set('q', q);
  else params.set('status', $('status-filter').value);
  if ($('clinic-filter').value) params.set('clinicId', $('clinic-filter').value);
  const [page, count] = await Promise.all([api(`/api/v1/conversations?${params}`), api('/api/v1/unread-count')]);
  $('unread-badge').textContent = String(count.unread);
  document.title = count.unread ? `(${count.unread}) Frontdesk` : 'Frontdesk';
  $('list').replaceChildren(
    ...page.items.map((c) =>
      el(
        'li',
        { className: `${c.unread ? 'unread' : ''} ${c.id === activeId ? 'active' : ''}`, onclick: () => openThread(c.id) },
        el('div', { className: 'meta' }, el('span', { textContent: `${c.contact.name} · ${c.channel}` }), el('span', { textContent: time(c.lastActivityAt) })),
        el('div', { className: 'preview', textContent: c.lastMessage?.preview ?? '' }),
      ),
    ),
  );
  if (!page.items.length) $('list').replaceChildren(el('li', { className: 'empty', textContent: 'No conversations here.' }));
}

async function openThread(id, { quiet = false } = {}) {
  const draft = quiet ? document.querySelector('.composer textarea')?.value ?? '' : '';
  activeId = id;
  const thread = await api(`/api/v1/conversations/${id}`);
  if (thread.unread && !quiet) await api(`/api/v1/conversations/${id}/read`, { method: 'POST' });
  const channel = el('select', { 'aria-label': 'Channel' }, ...thread.availableChannels.map((c) => el('option', { value: c, textContent: c, selected: c === thread.channel })));
  const text = el('textarea', { placeholder: 'Write a reply — Enter sends, Shift+Enter adds a line', value: draft });
  const send = async () => {
    if (!text.value.trim()) return;
    await api(`/api/v1/conversations/${id}/messages`, { method: 'POST', body: { body: text.value, channel: channel.value || undefined } }).catch((e) => alert(e.message));
    await openThread(id);
  };
  text.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      send();
    }
  });
  $('thread').replaceChildren(
    el('div', { className: 'head' }, el('strong', { textContent: thread.contact.name }), el('span', { textContent: `${thread.contact.phone ?? ''} ${thread.contact.email ?? ''} · ${thread.status}${thread.archived ? ' · archived' : ''}` })),
    el(
      'div',
      { className: 'messages' },
      ...thread.messages.map((m) =>
        el(
          'div',
          { className: `msg ${m.channel === 'call' ? 'call' : m.direction}` },
          el('div', { className: 'label', textContent: `${m.sender.name} · ${m.channel}${m.call ? ` (${Math.round(m.call.durationSeconds / 60)} min)` : ''} · ${time(m.createdAt)} · ${m.status}` }),
          m.body,
        ),
      ),
    ),
    el('div', { className: 'composer' }, channel, text, el('button', { type: 'button', textContent: 'Send', onclick: send })),
  );
  if (quiet) text.focus();
  else await refresh();
}

$('signin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  try {
    me = await api('/api/v1/auth/login', { method: 'POST', body: { email: form.get('email'), password: form.get('password') } });
    $('signin-error').textContent = '';
    await showInbox();
  } catch (err) {
    $('signin-error').textContent = err.message;
  }
});
$('signout').addEventListener('click', async () => {
  await api('/api/v1/auth/logout', { method: 'POST' }).catch(() => {});
  showSignIn();
});
for (const id of ['clinic-filter', 'status-filter']) $(id).addEventListener('change', refresh);
let searchTimer;
$('search').addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(refresh, 250);
});
// Live: the unread badge and the open views follow the event stream (which reconnects by itself).
let events = null;
let refreshTimer;
function listen() {
  events?.close();
  events = new EventSource('/api/v1/events');
  events.addEventListener('unread.count', (e) => {
    const { unread } = JSON.parse(e.data);
    $('unread-badge').textContent = String(unread);
    document.title = unread ? `(${unread}) Frontdesk` : 'Frontdesk';
  });
  const changed = (e) => {
    const data = JSON.parse(e.data || '{}');
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      refresh().catch(() => {});
      if (activeId && (!data.conversationId || data.conversationId === activeId)) openThread(activeId, { quiet: true }).catch(() => {});
    }, 200);
  };
  for (const type of ['message.created', 'message.status', 'conversation.updated', 'resync']) events.addEventListener(type, changed);
}

$('simulate-open').addEventListener('click', () => $('simulate').showModal());
$('simulate-cancel').addEventListener('click', () => $('simulate').close());
$('simulate-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = Object.fromEntries(new FormData(e.target));
  if (!form.name) delete form.name;
  try {
    await api('/api/v1/simulator/inbound', { method: 'POST', body: form });
    $('simulate-error').textContent = '';
    $('simulate').close();
    await refresh();
  } catch (err) {
    $('simulate-error').textContent = err.message;
  }
});

fetch('/api/v1/me').then(async (res) => {
  if (!res.ok) return showSignIn();
  me = await res.json();
  await showInbox();
});
