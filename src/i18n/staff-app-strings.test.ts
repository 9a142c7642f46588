/**
 * The staff app's words live in the `staff` catalogue, the portal's in `patient` (issue 18): this
 * lint fails when a .tsx file shows an inline string — a JSX text node with letters, or a literal in a prop a
 * person reads or hears (aria-label, title, placeholder, alt) — and when a `t('…')` key used
 * anywhere in web/src is missing from the English catalogue. Parsed with the TypeScript compiler,
 * so comments, class names and data code never count.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { catalogues } from './index.js';

const root = new URL('../../web/src/', import.meta.url).pathname;
const readProps = new Set(['aria-label', 'title', 'placeholder', 'alt', 'aria-description', 'aria-placeholder', 'aria-roledescription', 'label']);

/**
 * Inline text allowed on purpose, each with its reason. Keep it short: a word here is a word no
 * translator sees.
 */
const allowed: Record<string, string> = {
  Frontdesk: 'the product’s name, the same in every language',
  '×': 'a close mark, named by its aria-label',
  '…': 'an ellipsis that only marks more',
  '·': 'a separator dot',
  SMS: 'channel names are brands or acronyms read the same everywhere',
  WhatsApp: 'a brand',
  CSV: 'a file format',
  JSON: 'a file format',
  '/c/': 'the start of a public page’s address, shown as the link it is',
  FHIR: 'a standard’s name',
  '+1 555 0100': 'an example phone number in a placeholder',
  'riverside-dental': 'an example clinic address in the portal’s placeholder',
  '🔒': 'a lock mark before a sensitive message’s preview',
};

const portalDir = join(root, 'portal');
const inPortal = (path: string) => path.startsWith(`${portalDir}/`);

function files(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path, ext);
    return entry.name.endsWith(ext) && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const hasLetters = (text: string) => /\p{L}/u.test(text);

function inlineStrings(path: string): string[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const where = (node: ts.Node) => `${relative(root, path)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const report = (node: ts.Node, text: string) => {
    const trimmed = text.replace(/\s+/g, ' ').trim();
    if (hasLetters(trimmed) && !(trimmed in allowed)) found.push(`${where(node)} ${JSON.stringify(trimmed)}`);
  };
  // The literals an expression shows: `'text'`, a template's fixed text, either branch of `?:`, the right of `&&`, either side of `||` / `??` — never a comparison's operands.
  const literals = (e: ts.Expression): { node: ts.Node; text: string }[] => {
    if (ts.isStringLiteralLike(e)) return [{ node: e, text: e.text }];
    if (ts.isTemplateExpression(e)) return [{ node: e, text: [e.head.text, ...e.templateSpans.map((span) => span.literal.text)].join(' ') }];
    if (ts.isParenthesizedExpression(e)) return literals(e.expression);
    if (ts.isConditionalExpression(e)) return [...literals(e.whenTrue), ...literals(e.whenFalse)];
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken) return literals(e.right);
      if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) return [...literals(e.left), ...literals(e.right)];
    }
    return [];
  };
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node)) report(node, node.text);
    if (ts.isJsxAttribute(node) && readProps.has(node.name.getText(source)) && node.initializer) {
      const init = node.initializer;
      if (ts.isStringLiteral(init)) report(init, init.text);
      if (ts.isJsxExpression(init) && init.expression) for (const literal of literals(init.expression)) report(literal.node, literal.text);
    }
    // A literal as a JSX child: {'Save'}, {cond ? 'Yes' : 'No'}, {`${n} selected`}.
    if (ts.isJsxExpression(node) && node.expression && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))) {
      for (const literal of literals(node.expression)) report(literal.node, literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

type Tree = { [key: string]: string | Tree };
function keys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) => (typeof value === 'string' ? [`${prefix}${key}`] : keys(value, `${prefix}${key}.`)));
}

/** Every literal first argument of a call to `t` (or `i18next.t`), with its namespace when written `ns:key`. */
function usedKeys(path: string): { key: string; at: string }[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true, path.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: { key: string; at: string }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      const callee = node.expression.getText(source);
      if (callee === 't' || callee.endsWith('.t')) found.push({ key: node.arguments[0].text, at: `${relative(root, path)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}` });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('staff app and portal strings', () => {
  it('no .tsx file of the staff app shows an inline string', () => {
    expect(files(root, '.tsx').filter((p) => !inPortal(p)).flatMap(inlineStrings)).toEqual([]);
  });

  it('no .tsx file of the patient portal shows an inline string', () => {
    expect(files(portalDir, '.tsx').flatMap(inlineStrings)).toEqual([]);
  });

  it('every t() key used in web/src is in the English catalogue', () => {
    const known = new Set(Object.entries(catalogues.en).flatMap(([ns, tree]) => keys(tree as Tree).map((k) => `${ns}:${k}`)));
    const plural = (key: string) => known.has(`${key}_one`) || known.has(`${key}_other`);
    const missing = [...files(root, '.tsx'), ...files(root, '.ts')]
      .flatMap((path) => usedKeys(path).map((used) => ({ ...used, ns: inPortal(path) ? 'patient' : 'staff' })))
      .filter(({ key, ns }) => {
        const full = key.includes(':') ? key : `${ns}:${key}`;
        return !known.has(full) && !plural(full);
      });
    expect(missing).toEqual([]);
  });
});
