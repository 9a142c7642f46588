/**
 * S4: HTML mail, made safe with sanitize-html (a maintained allowlist sanitiser on htmlparser2).
 * What a patient's mail program wrote keeps its formatting, never its scripts, forms, styles or
 * frames; a remote image keeps its address in data-remote-src and loads only when staff ask (an
 * image is how a sender learns that, and when, mail was read); links open in a new tab and tell
 * the site nothing (rel="noopener noreferrer"). What staff write goes out the same way, with less.
 */
import sanitizeHtml, { type IOptions } from 'sanitize-html';

const linkAttributes = { target: '_blank', rel: 'noopener noreferrer' };

/** Links open elsewhere and carry no referrer or opener; anything but http(s) and mailto is not a link. */
const safeLink: sanitizeHtml.Transformer = (tagName, attribs) => ({ tagName, attribs: { ...attribs, ...linkAttributes } });

/** A remote image waits for a click; an inline (cid:) part or a data: image stays as it is. */
const blockedImage: sanitizeHtml.Transformer = (tagName, attribs) => {
  const { src, ...rest } = attribs;
  if (src && /^https?:/i.test(src)) return { tagName, attribs: { ...rest, 'data-remote-src': src, alt: rest.alt || 'remote image' } };
  return { tagName, attribs: src?.startsWith('data:image/') ? attribs : rest };
};

const inbound: IOptions = {
  allowedTags: [
    'a', 'abbr', 'b', 'blockquote', 'br', 'caption', 'code', 'col', 'colgroup', 'dd', 'del', 'div', 'dl', 'dt', 'em', 'font', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
    'hr', 'i', 'img', 'ins', 'li', 'ol', 'p', 'pre', 's', 'small', 'span', 'strike', 'strong', 'sub', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'u', 'ul',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'target', 'rel'],
    img: ['src', 'alt', 'width', 'height', 'data-remote-src'],
    td: ['colspan', 'rowspan', 'align'],
    th: ['colspan', 'rowspan', 'align'],
    blockquote: ['type'],
    div: ['class'],
  },
  // Only the classes that mark a quoted history (Gmail, Yahoo), so the thread can fold it away.
  allowedClasses: { div: ['gmail_quote', 'yahoo_quoted'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https', 'data'] },
  allowProtocolRelative: false,
  // <style>, <script>, <title> and the like go with their text; other unknown tags leave their text.
  nonTextTags: ['style', 'script', 'textarea', 'option', 'noscript', 'title', 'head', 'xml'],
  transformTags: { a: safeLink, img: blockedImage },
};

const outbound: IOptions = {
  allowedTags: ['a', 'b', 'br', 'div', 'em', 'i', 'li', 'ol', 'p', 'strong', 'u', 'ul'],
  allowedAttributes: { a: ['href', 'target', 'rel'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  transformTags: { a: safeLink },
};

/** A patient's HTML mail, safe to show to staff. */
export const sanitizeInboundHtml = (html: string) => sanitizeHtml(html, inbound).trim();

/** What staff wrote in the composer: bold, italic, lists and links, nothing else. */
export const sanitizeOutboundHtml = (html: string) => sanitizeHtml(html, outbound).trim();
