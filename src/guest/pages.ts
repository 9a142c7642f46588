/**
 * P1's two public pages, rendered on the server: they load fast, work without JavaScript, and pass
 * an accessibility check. A small script only refreshes the thread while it is open.
 */
import { escapeHtml, layout } from '../http/html.js';
import { displayPhone } from '../contacts/display.js';
import { clinicTime } from '../orgs/rules.js';
import { defaultOpeningHours, hoursText } from '../orgs/hours.js';
import type { ClinicRow, GuestThread } from './service.js';

export interface FormState {
  values?: { name?: string; email?: string; phone?: string; body?: string };
  error?: string;
  fieldErrors?: Record<string, string>;
}

function field(name: string, label: string, state: FormState, opts: { type?: string; required?: boolean; autocomplete?: string; hint?: string; textarea?: boolean }): string {
  const value = state.values?.[name as keyof NonNullable<FormState['values']>] ?? '';
  const error = state.fieldErrors?.[name];
  const describedBy = [opts.hint ? `${name}-hint` : '', error ? `${name}-error` : ''].filter(Boolean).join(' ');
  const common = `id="${name}" name="${name}"${opts.required ? ' required' : ''}${opts.autocomplete ? ` autocomplete="${opts.autocomplete}"` : ''}${describedBy ? ` aria-describedby="${describedBy}"` : ''}${error ? ' aria-invalid="true"' : ''}`;
  const control = opts.textarea
    ? `<textarea ${common} rows="6" maxlength="5000">${escapeHtml(value)}</textarea>`
    : `<input ${common} type="${opts.type ?? 'text'}" value="${escapeHtml(value)}" maxlength="254">`;
  return `<div class="field">
<label for="${name}">${escapeHtml(label)}${opts.required ? '' : ' <span class="optional">(optional)</span>'}</label>
${opts.hint ? `<p class="hint" id="${name}-hint">${escapeHtml(opts.hint)}</p>` : ''}
${error ? `<p class="field-error" id="${name}-error">${escapeHtml(error)}</p>` : ''}
${control}
</div>`;
}

export function clinicPage(clinic: ClinicRow, state: FormState = {}): string {
  const hours = hoursText(clinic.openingHours ?? defaultOpeningHours);
  const details = [
    clinic.address ? `<dt>Address</dt><dd>${escapeHtml(clinic.address)}</dd>` : '',
    hours ? `<dt>Opening hours</dt><dd>${escapeHtml(hours)}</dd>` : '',
    clinic.phone ? `<dt>Phone</dt><dd><a href="tel:${escapeHtml(clinic.phone)}">${escapeHtml(displayPhone(clinic.phone))}</a></dd>` : '',
  ].join('');
  return layout(
    `${clinic.name} — send a message`,
    `<header class="clinic">
<h1>${escapeHtml(clinic.name)}</h1>
${details ? `<dl class="details">${details}</dl>` : ''}
</header>
<section aria-labelledby="write">
<h2 id="write">Send us a message</h2>
<p>No account needed. After you send it you get a private link where you can read our answer and write back.</p>
${state.error ? `<div class="alert" role="alert">${escapeHtml(state.error)}</div>` : ''}
<form method="post" action="/c/${encodeURIComponent(clinic.slug)}" novalidate>
${field('name', 'Your name', state, { required: true, autocomplete: 'name' })}
${field('email', 'Email', state, { type: 'email', required: true, autocomplete: 'email', hint: 'We email you when the clinic answers.' })}
${field('phone', 'Phone', state, { type: 'tel', autocomplete: 'tel' })}
${field('body', 'Message', state, { required: true, textarea: true, hint: 'Please do not include card numbers or passwords.' })}
<div class="trap" aria-hidden="true"><label for="website">Leave this empty</label><input id="website" name="website" type="text" tabindex="-1" autocomplete="off"></div>
<button type="submit">Send message</button>
</form>
<p class="portal-link">Already a patient with a portal account? <a href="/portal?clinic=${encodeURIComponent(clinic.slug)}">Sign in to the patient portal</a>.</p>
</section>`,
    // The clinic's page is meant to be found; the private pages are not.
    { indexable: !state.error && !state.fieldErrors },
  );
}

/** In the clinic's zone, as the staff app and the card page show it. */
const time = (iso: string, timeZone: string) => `<time datetime="${iso}">${escapeHtml(clinicTime(iso, timeZone))}</time>`;

function renderCard(m: GuestThread['messages'][number]): string {
  if (!m.card) return '';
  return `<div class="card"><strong>${escapeHtml(m.card.label)}: ${escapeHtml(m.card.title)}</strong>${m.card.amount ? ` — ${escapeHtml(m.card.amount)}` : ''}<p><a class="button" href="${escapeHtml(m.card.link)}">Open</a></p></div>`;
}

function renderFiles(m: GuestThread['messages'][number]): string {
  return m.attachments
    .map((a) => {
      const url = escapeHtml(a.url);
      return a.contentType.startsWith('image/')
        ? `<a class="file" href="${url}"><img src="${url}" alt="${escapeHtml(a.filename)}"></a>`
        : `<a class="file" href="${url}">${escapeHtml(a.filename)} (${Math.ceil(a.size / 1024)} KB)</a>`;
    })
    .join('');
}

export function renderGuestMessages(token: string, thread: GuestThread): string {
  return thread.messages
    .map(
      (m) => `<li class="msg ${m.direction === 'inbound' ? 'mine' : 'theirs'}" id="m-${m.id}">
<p class="meta"><span class="from">${escapeHtml(m.direction === 'inbound' ? 'You' : m.from)}</span> · ${time(m.createdAt, thread.clinic.timezone)}${m.direction === 'inbound' ? ` · <span class="status">${m.status === 'read' ? 'Seen by the clinic' : 'Delivered'}</span>` : ''}</p>
<p class="body">${escapeHtml(m.body)}</p>
${renderCard(m)}${renderFiles(m)}
</li>`,
    )
    .join('\n');
}

export function guestPage(token: string, thread: GuestThread, state: FormState = {}): string {
  const c = thread.clinic;
  return layout(
    `Your conversation with ${c.name}`,
    `<header class="clinic">
<h1>Your conversation with ${escapeHtml(c.name)}</h1>
<p class="private">Keep this page's address private: anyone who has it can read this conversation.</p>
</header>
${thread.held ? '<p class="notice" role="status">Your message is saved. The clinic will see it shortly.</p>' : ''}
<section aria-labelledby="thread-title">
<h2 id="thread-title" class="visually-hidden">Messages</h2>
<ol class="thread" id="thread" aria-live="polite" data-timezone="${escapeHtml(c.timezone)}">
${renderGuestMessages(token, thread)}
</ol>
</section>
<section aria-labelledby="reply-title">
<h2 id="reply-title">Write back</h2>
${state.error ? `<div class="alert" role="alert">${escapeHtml(state.error)}</div>` : ''}
<form method="post" action="/g/${token}">
${field('body', 'Your reply', state, { required: true, textarea: true })}
<button type="submit">Send reply</button>
</form>
</section>
${c.phone ? `<p>Urgent? Call ${escapeHtml(c.name)} at <a href="tel:${escapeHtml(c.phone)}">${escapeHtml(displayPhone(c.phone))}</a>.</p>` : ''}`,
    { script: true },
  );
}


/** Refreshes the thread every few seconds while the page is open; without it the page still works. */
export const guestJs = `
(function () {
  var token = location.pathname.split('/')[2];
  var list = document.getElementById('thread');
  if (!token || !list) return;
  var shown = list.children.length;
  var zone = list.getAttribute('data-timezone') || undefined;
  function esc(s) { var d = document.createElement('div'); d.textContent = s; return d.innerHTML.replace(/"/g, '&quot;'); }
  function refresh() {
    if (document.hidden) return;
    fetch('/api/v1/public/threads/' + token + '/messages', { headers: { accept: 'application/json' }, cache: 'no-store' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (t) {
        if (!t || t.messages.length === shown) return;
        shown = t.messages.length;
        list.innerHTML = t.messages.map(function (m) {
          var mine = m.direction === 'inbound';
          var files = m.attachments.map(function (a) {
            var url = esc(a.url);
            return a.contentType.indexOf('image/') === 0
              ? '<a class="file" href="' + url + '"><img src="' + url + '" alt="' + esc(a.filename) + '"></a>'
              : '<a class="file" href="' + url + '">' + esc(a.filename) + '</a>';
          }).join('');
          return '<li class="msg ' + (mine ? 'mine' : 'theirs') + '" id="m-' + m.id + '"><p class="meta"><span class="from">' + esc(mine ? 'You' : m.from) +
            '</span> · <time datetime="' + m.createdAt + '">' + esc(new Date(m.createdAt).toLocaleString('en-US', { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' })) + '</time></p><p class="body">' + esc(m.body) + '</p>' + files + '</li>';
        }).join('');
      })
      .catch(function () {});
  }
  setInterval(refresh, 5000);
  document.addEventListener('visibilitychange', refresh);
})();
`;
