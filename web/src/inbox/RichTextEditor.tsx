import { useTranslation } from 'react-i18next';
import { useEffect, useRef, type KeyboardEvent } from 'react';

/**
 * S4: the email composer's editor — bold, italic, lists and links — on a contenteditable box with
 * the browser's own editing commands. No editor library: four buttons do not need ProseMirror's
 * dozen packages, and what the box produces is sanitised by the server (sanitize-html) before it is
 * stored or sent, with the plain text (lists as "- " lines) going beside it.
 */
export interface RichValue {
  text: string;
  html: string;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The plain-text version of what is in the box: blocks and <br> as lines, list items as "- " or "1. " lines. */
export function plainTextOf(node: Node): string {
  const lines: string[] = [];
  let line = '';
  const flush = () => {
    lines.push(line);
    line = '';
  };
  const walk = (n: Node, list?: { ordered: boolean; index: number }) => {
    if (n.nodeType === Node.TEXT_NODE) {
      line += n.textContent ?? '';
      return;
    }
    if (!(n instanceof HTMLElement)) return;
    const tag = n.tagName;
    if (tag === 'BR') return flush();
    if (tag === 'UL' || tag === 'OL') {
      if (line) flush();
      const inner = { ordered: tag === 'OL', index: 0 };
      n.childNodes.forEach((c) => walk(c, inner));
      return;
    }
    const block = tag === 'DIV' || tag === 'P' || tag === 'LI';
    if (block && line) flush();
    if (tag === 'LI' && list) line += list.ordered ? `${++list.index}. ` : '- ';
    n.childNodes.forEach((c) => walk(c, list));
    if (tag === 'A') {
      const href = n.getAttribute('href');
      if (href && href !== n.textContent) line += ` (${href})`;
    }
    if (block) flush();
  };
  node.childNodes.forEach((c) => walk(c));
  if (line) flush();
  // Typing beside formatting leaves no-break spaces; the plain text wants ordinary ones.
  return lines.join('\n').replace(/\u00a0/g, ' ').replace(/\n{3,}/g, '\n\n').trim();
}

export function RichTextEditor({ text, placeholder, onChange, onSubmit }: { text: string; placeholder: string; onChange: (value: RichValue) => void; onSubmit: () => void }) {
  const { t } = useTranslation('staff');
  const box = useRef<HTMLDivElement>(null);
  const changed = useRef(onChange);
  changed.current = onChange;

  // A change from outside (a template, an emoji, the box emptied once sent) replaces what is in it.
  useEffect(() => {
    const el = box.current;
    if (!el || plainTextOf(el) === text) return;
    el.innerHTML = escapeHtml(text).replace(/\n/g, '<br>');
    changed.current({ text, html: el.innerHTML });
  }, [text]);

  const emit = () => {
    const el = box.current;
    if (el) changed.current({ text: plainTextOf(el), html: el.innerHTML });
  };
  const run = (command: string, value?: string) => {
    box.current?.focus();
    document.execCommand(command, false, value);
    emit();
  };
  const addLink = () => {
    const url = window.prompt(t('editor.linkPrompt'));
    if (!url) return;
    if (!/^https?:\/\/\S+$/i.test(url.trim())) return window.alert(t('editor.linkInvalid'));
    run('createLink', url.trim());
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      onSubmit();
    }
  };
  // mousedown would take the focus (and the selection) away from the text the button formats.
  const keep = (e: { preventDefault(): void }) => e.preventDefault();

  return (
    <div className="rich-editor">
      <div className="rich-toolbar" role="toolbar" aria-label={t('editor.formatting')}>
        <button type="button" className="secondary" aria-label={t('editor.bold')} title={t('editor.bold')} onMouseDown={keep} onClick={() => run('bold')}><b>{t('editor.boldMark')}</b></button>
        <button type="button" className="secondary" aria-label={t('editor.italic')} title={t('editor.italic')} onMouseDown={keep} onClick={() => run('italic')}><i>{t('editor.italicMark')}</i></button>
        <button type="button" className="secondary" aria-label={t('editor.bulleted')} title={t('editor.bulleted')} onMouseDown={keep} onClick={() => run('insertUnorderedList')}><span aria-hidden="true">•</span> {t('editor.list')}</button>
        <button type="button" className="secondary" aria-label={t('editor.numberedList')} title={t('editor.numberedList')} onMouseDown={keep} onClick={() => run('insertOrderedList')}>{t('editor.numbered')}</button>
        <button type="button" className="secondary" aria-label={t('editor.link')} title={t('editor.link')} onMouseDown={keep} onClick={addLink}>{t('editor.link')}</button>
      </div>
      <div
        ref={box}
        id="composer-text"
        className="rich-box"
        role="textbox"
        aria-multiline="true"
        aria-label={t('composer.message')}
        contentEditable
        suppressContentEditableWarning
        data-placeholder={placeholder}
        onInput={emit}
        onKeyDown={onKeyDown}
      />
    </div>
  );
}
