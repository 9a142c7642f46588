/**
 * P1's two public pages, rendered on the server: they load fast, work without JavaScript, and pass
 * an accessibility check. A small script only refreshes the thread while it is open.
 */
import type { ClinicRow, GuestThread } from './service.js';

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface FormState {
  values?: { name?: string; email?: string; phone?: string; body?: string };
  error?: string;
  fieldErrors?: Record<string, string>;
}

/** A public page: server-rendered, its own style sheet, readable without JavaScript. */
export function layout(title: string, main: string, opts: { script?: boolean; indexable?: boolean } = {}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${opts.indexable ? '' : '<meta name="robots" content="noindex">'}
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/public/guest.css">
${opts.script ? '<script src="/public/guest.js" defer></script>' : ''}
</head>
<body>
<main id="main">
${main}
</main>
<footer><p>Messages are kept private between you and the clinic. Powered by Frontdesk.</p></footer>
</body>
</html>`;
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
  const details = [
    clinic.address ? `<dt>Address</dt><dd>${escapeHtml(clinic.address)}</dd>` : '',
    clinic.hours ? `<dt>Opening hours</dt><dd>${escapeHtml(clinic.hours)}</dd>` : '',
    clinic.phone ? `<dt>Phone</dt><dd><a href="tel:${escapeHtml(clinic.phone)}">${escapeHtml(clinic.phone)}</a></dd>` : '',
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

const time = (iso: string) => `<time datetime="${iso}">${escapeHtml(new Date(iso).toUTCString().replace(/:\d\d GMT$/, ' UTC'))}</time>`;

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
<p class="meta"><span class="from">${escapeHtml(m.direction === 'inbound' ? 'You' : m.from)}</span> · ${time(m.createdAt)}${m.direction === 'inbound' ? ` · <span class="status">${m.status === 'read' ? 'Seen by the clinic' : 'Delivered'}</span>` : ''}</p>
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
<ol class="thread" id="thread" aria-live="polite">
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
${c.phone ? `<p>Urgent? Call ${escapeHtml(c.name)} at <a href="tel:${escapeHtml(c.phone)}">${escapeHtml(c.phone)}</a>.</p>` : ''}`,
    { script: true },
  );
}

export function notFoundPage(): string {
  return layout('Not found', '<h1>This link does not work</h1><p>It may be mistyped, or the clinic may have closed it. Please contact the clinic directly.</p>');
}

export const guestCss = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f5f6f8}
main{max-width:42rem;margin:0 auto;padding:1.5rem 1rem}
h1{font-size:1.6rem;margin:.2rem 0 .6rem}
h2{font-size:1.2rem;margin:1.6rem 0 .5rem}
.details{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}
.details dt{font-weight:600}.details dd{margin:0}
.field{margin:0 0 1rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
.optional,.hint{font-weight:400;color:#4a5360}
.hint{margin:0 0 .3rem;font-size:.9rem}
input,textarea{width:100%;padding:.6rem;border:1px solid #6b7480;border-radius:6px;font:inherit;background:#fff}
input:focus,textarea:focus,button:focus,a:focus{outline:3px solid #1e5bd8;outline-offset:2px}
button{background:#1e5bd8;color:#fff;border:0;border-radius:6px;padding:.7rem 1.3rem;font:inherit;font-weight:600;cursor:pointer}
.alert{border:1px solid #b3261e;background:#fdecea;color:#8a1c15;padding:.7rem;border-radius:6px;margin-bottom:1rem}
.field-error{color:#8a1c15;margin:0 0 .3rem;font-size:.9rem}
.notice{background:#eef4ff;border:1px solid #9db8f2;padding:.7rem;border-radius:6px}
.trap{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
.thread{list-style:none;padding:0;margin:0;display:flex;flex-direction:column;gap:.6rem}
.msg{max-width:85%;padding:.6rem .8rem;border-radius:10px;background:#fff;border:1px solid #d5d9df}
.msg.mine{align-self:flex-end;background:#e3ecff;border-color:#b8cbf5}
.msg .meta{margin:0;font-size:.8rem;color:#4a5360}
.msg .body{margin:.2rem 0 0;white-space:pre-wrap;overflow-wrap:anywhere}
.private{color:#4a5360;font-size:.9rem}
.card{background:#fff;border:1px solid #d5d9df;border-radius:10px;padding:1rem 1.2rem}.card dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}.card dd{margin:0}.button{display:inline-block;background:#1e5bd8;color:#fff;padding:.6rem 1.2rem;border-radius:6px;text-decoration:none;font-weight:600}
.file{display:block;margin-top:.4rem}.file img{max-width:100%;max-height:320px;border-radius:6px}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
footer{max-width:42rem;margin:0 auto;padding:0 1rem 2rem;color:#4a5360;font-size:.85rem}
a{color:#1e4fb8}
`;

/** Refreshes the thread every few seconds while the page is open; without it the page still works. */
export const guestJs = `
(function () {
  var token = location.pathname.split('/')[2];
  var list = document.getElementById('thread');
  if (!token || !list) return;
  var shown = list.children.length;
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
            '</span> · <time datetime="' + m.createdAt + '">' + esc(new Date(m.createdAt).toLocaleString()) + '</time></p><p class="body">' + esc(m.body) + '</p>' + files + '</li>';
        }).join('');
      })
      .catch(function () {});
  }
  setInterval(refresh, 5000);
  document.addEventListener('visibilitychange', refresh);
})();
`;
