import type { FastifyReply } from 'fastify';
import { defaultLanguage, translator, type Language } from '../i18n/index.js';

/**
 * The kit of the server-rendered pages patients see without signing in (the clinic's public page,
 * the guest thread, a card's page): one layout, its style sheet, escaping, and the headers a private
 * page is sent with. Every value put in a page goes through escapeHtml; the CSP allows no inline
 * script or style.
 */

/** What a public page may load: its own script and style sheet, nothing inline, no framing. */
export const pageCsp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Private pages: never cached, never sent on as a referrer, never indexed. */
export function privateHeaders(reply: FastifyReply): FastifyReply {
  return reply.header('Cache-Control', 'no-store').header('Referrer-Policy', 'no-referrer').header('X-Robots-Tag', 'noindex, nofollow').header('Content-Security-Policy', pageCsp);
}

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A public page: server-rendered, its own style sheet, readable without JavaScript. */
export function layout(title: string, main: string, opts: { script?: boolean; indexable?: boolean; language?: Language } = {}): string {
  const language = opts.language ?? defaultLanguage;
  return `<!doctype html>
<html lang="${language}">
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
<footer><p>${escapeHtml(translator(language)('patient:page.footer'))}</p></footer>
</body>
</html>`;
}

export function notFoundPage(language: Language = defaultLanguage): string {
  const t = translator(language);
  return layout(t('patient:page.notFoundTitle'), `<h1>${escapeHtml(t('patient:page.notFoundHeading'))}</h1><p>${escapeHtml(t('patient:page.notFoundBody'))}</p>`, { language });
}

/** A stored message failed its integrity check: the patient learns nothing of why, only what to do. */
export function integrityFailurePage(language: Language = defaultLanguage): string {
  const t = translator(language);
  return layout(
    t('patient:page.integrityTitle'),
    `<h1>${escapeHtml(t('patient:page.integrityHeading'))}</h1><p>${escapeHtml(t('patient:page.integrityBody'))}</p><p>${escapeHtml(t('patient:page.integrityContact'))}</p>`,
    { language },
  );
}

/** The style sheet of every public page, served at /public/guest.css. */
export const publicCss = `
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
