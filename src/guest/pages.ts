/**
 * P1's two public pages, rendered on the server: they load fast, work without JavaScript, and pass
 * an accessibility check. A small script only refreshes the thread while it is open.
 */
import { escapeHtml, layout } from '../http/html.js';
import { displayPhone } from '../contacts/display.js';
import { defaultLanguage, translator, type Language } from '../i18n/index.js';
import { formatDateTime } from '../i18n/format.js';
import { localeOf } from '../i18n/patient-language.js';
import { defaultOpeningHours, hoursText } from '../orgs/hours.js';
import type { ClinicRow, GuestThread } from './service.js';

export interface FormState {
  values?: { name?: string; email?: string; phone?: string; body?: string };
  error?: string;
  fieldErrors?: Record<string, string>;
}

type T = ReturnType<typeof translator>;

function field(t: T, name: string, label: string, state: FormState, opts: { type?: string; required?: boolean; autocomplete?: string; hint?: string; textarea?: boolean }): string {
  const value = state.values?.[name as keyof NonNullable<FormState['values']>] ?? '';
  const error = state.fieldErrors?.[name];
  const describedBy = [opts.hint ? `${name}-hint` : '', error ? `${name}-error` : ''].filter(Boolean).join(' ');
  const common = `id="${name}" name="${name}"${opts.required ? ' required' : ''}${opts.autocomplete ? ` autocomplete="${opts.autocomplete}"` : ''}${describedBy ? ` aria-describedby="${describedBy}"` : ''}${error ? ' aria-invalid="true"' : ''}`;
  const control = opts.textarea
    ? `<textarea ${common} rows="6" maxlength="5000">${escapeHtml(value)}</textarea>`
    : `<input ${common} type="${opts.type ?? 'text'}" value="${escapeHtml(value)}" maxlength="254">`;
  return `<div class="field">
<label for="${name}">${escapeHtml(label)}${opts.required ? '' : ` <span class="optional">${escapeHtml(t('patient:page.optional'))}</span>`}</label>
${opts.hint ? `<p class="hint" id="${name}-hint">${escapeHtml(opts.hint)}</p>` : ''}
${error ? `<p class="field-error" id="${name}-error">${escapeHtml(error)}</p>` : ''}
${control}
</div>`;
}

/** The clinic's page in the visitor's language (their browser's: the page is for anyone). */
export function clinicPage(clinic: ClinicRow, state: FormState = {}, language: Language = defaultLanguage): string {
  const t = translator(language);
  const hours = hoursText(clinic.openingHours ?? defaultOpeningHours, localeOf(language));
  const details = [
    clinic.address ? `<dt>${escapeHtml(t('patient:clinic.address'))}</dt><dd>${escapeHtml(clinic.address)}</dd>` : '',
    hours ? `<dt>${escapeHtml(t('patient:clinic.hours'))}</dt><dd>${escapeHtml(hours)}</dd>` : '',
    clinic.phone ? `<dt>${escapeHtml(t('patient:clinic.phone'))}</dt><dd><a href="tel:${escapeHtml(clinic.phone)}">${escapeHtml(displayPhone(clinic.phone))}</a></dd>` : '',
  ].join('');
  return layout(
    t('patient:clinic.title', { clinic: clinic.name }),
    `<header class="clinic">
<h1>${escapeHtml(clinic.name)}</h1>
${details ? `<dl class="details">${details}</dl>` : ''}
</header>
<section aria-labelledby="write">
<h2 id="write">${escapeHtml(t('patient:clinic.heading'))}</h2>
<p>${escapeHtml(t('patient:clinic.intro'))}</p>
${state.error ? `<div class="alert" role="alert">${escapeHtml(state.error)}</div>` : ''}
<form method="post" action="/c/${encodeURIComponent(clinic.slug)}" novalidate>
${field(t, 'name', t('patient:clinic.name'), state, { required: true, autocomplete: 'name' })}
${field(t, 'email', t('patient:clinic.email'), state, { type: 'email', required: true, autocomplete: 'email', hint: t('patient:clinic.emailHint') })}
${field(t, 'phone', t('patient:clinic.phone'), state, { type: 'tel', autocomplete: 'tel' })}
${field(t, 'body', t('patient:clinic.message'), state, { required: true, textarea: true, hint: t('patient:clinic.messageHint') })}
<div class="trap" aria-hidden="true"><label for="website">${escapeHtml(t('patient:clinic.trap'))}</label><input id="website" name="website" type="text" tabindex="-1" autocomplete="off"></div>
<button type="submit">${escapeHtml(t('patient:clinic.send'))}</button>
</form>
<p class="portal-link">${t('patient:clinic.portalPrompt', { href: escapeHtml(`/portal?clinic=${encodeURIComponent(clinic.slug)}`) })}</p>
</section>`,
    // The clinic's page is meant to be found; the private pages are not.
    { indexable: !state.error && !state.fieldErrors, language },
  );
}

/** In the clinic's zone, as the staff app and the card page show it, in the reader's language. */
const time = (iso: string, timeZone: string, language: Language) => `<time datetime="${iso}">${escapeHtml(formatDateTime(iso, localeOf(language), timeZone))}</time>`;

function renderCard(t: T, m: GuestThread['messages'][number]): string {
  if (!m.card) return '';
  return `<div class="card"><strong>${escapeHtml(m.card.label)}: ${escapeHtml(m.card.title)}</strong>${m.card.amount ? ` — ${escapeHtml(m.card.amount)}` : ''}<p><a class="button" href="${escapeHtml(m.card.link)}">${escapeHtml(t('patient:page.open'))}</a></p></div>`;
}

function renderFiles(t: T, m: GuestThread['messages'][number]): string {
  return m.attachments
    .map((a) => {
      const url = escapeHtml(a.url);
      return a.contentType.startsWith('image/')
        ? `<a class="file" href="${url}"><img src="${url}" alt="${escapeHtml(a.filename)}"></a>`
        : `<a class="file" href="${url}">${escapeHtml(t('patient:page.fileSize', { name: a.filename, size: Math.ceil(a.size / 1024) }))}</a>`;
    })
    .join('');
}

/** Who wrote a message, as the patient reads it: "You", the clinic, or "Ana at the clinic". */
function author(t: T, m: GuestThread['messages'][number], clinicName: string): string {
  if (m.direction === 'inbound') return t('patient:guest.you');
  return m.staffName ? t('patient:guest.staffAt', { name: m.staffName, clinic: clinicName }) : clinicName;
}

export function renderGuestMessages(token: string, thread: GuestThread, language: Language = defaultLanguage): string {
  const t = translator(language);
  return thread.messages
    .map(
      (m) => `<li class="msg ${m.direction === 'inbound' ? 'mine' : 'theirs'}" id="m-${m.id}">
<p class="meta"><span class="from">${escapeHtml(author(t, m, thread.clinic.name))}</span> · ${time(m.createdAt, thread.clinic.timezone, language)}${m.direction === 'inbound' ? ` · <span class="status">${escapeHtml(m.status === 'read' ? t('patient:guest.seen') : t('patient:guest.delivered'))}</span>` : ''}</p>
<p class="body">${escapeHtml(m.retracted ? t('patient:guest.retracted') : m.body)}</p>
${renderCard(t, m)}${renderFiles(t, m)}
</li>`,
    )
    .join('\n');
}

/** The guest's thread in their language: the contact's preferred one, else their browser's (the caller decides). */
export function guestPage(token: string, thread: GuestThread, state: FormState = {}, language: Language = defaultLanguage): string {
  const c = thread.clinic;
  const t = translator(language);
  return layout(
    t('patient:guest.title', { clinic: c.name }),
    `<header class="clinic">
<h1>${escapeHtml(t('patient:guest.title', { clinic: c.name }))}</h1>
<p class="private">${escapeHtml(t('patient:guest.private'))}</p>
</header>
${thread.held ? `<p class="notice" role="status">${escapeHtml(t('patient:guest.held'))}</p>` : ''}
<section aria-labelledby="thread-title">
<h2 id="thread-title" class="visually-hidden">${escapeHtml(t('patient:guest.messages'))}</h2>
<ol class="thread" id="thread" aria-live="polite" data-timezone="${escapeHtml(c.timezone)}" data-locale="${escapeHtml(localeOf(language))}" data-you="${escapeHtml(t('patient:guest.you'))}">
${renderGuestMessages(token, thread, language)}
</ol>
</section>
<section aria-labelledby="reply-title">
<h2 id="reply-title">${escapeHtml(t('patient:guest.writeBack'))}</h2>
${state.error ? `<div class="alert" role="alert">${escapeHtml(state.error)}</div>` : ''}
<form method="post" action="/g/${token}">
${field(t, 'body', t('patient:guest.yourReply'), state, { required: true, textarea: true })}
<button type="submit">${escapeHtml(t('patient:guest.sendReply'))}</button>
</form>
</section>
${c.phone ? `<p>${t('patient:guest.urgent', { clinic: escapeHtml(c.name), tel: escapeHtml(c.phone), phone: escapeHtml(displayPhone(c.phone)) })}</p>` : ''}`,
    { script: true, language },
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
  var locale = list.getAttribute('data-locale') || 'en-US';
  var you = list.getAttribute('data-you') || 'You';
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
          return '<li class="msg ' + (mine ? 'mine' : 'theirs') + '" id="m-' + m.id + '"><p class="meta"><span class="from">' + esc(mine ? you : m.from) +
            '</span> · <time datetime="' + m.createdAt + '">' + esc(new Date(m.createdAt).toLocaleString(locale, { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' })) + '</time></p><p class="body">' + esc(m.body) + '</p>' + files + '</li>';
        }).join('');
      })
      .catch(function () {});
  }
  setInterval(refresh, 5000);
  document.addEventListener('visibilitychange', refresh);
})();
`;
