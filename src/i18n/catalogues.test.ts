import { describe, expect, it } from 'vitest';
import { catalogues, defaultLanguage, languages } from './index.js';

type Tree = { [key: string]: string | Tree };

function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of leaves(value, path)) out.set(k, v);
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]).sort();

describe('catalogues', () => {
  const reference = leaves(catalogues[defaultLanguage] as Tree);

  it.each(languages.filter((l) => l !== defaultLanguage))('%s has every key, no extra, same placeholders, nothing empty', (language) => {
    const other = leaves(catalogues[language] as Tree);
    expect([...other.keys()].sort()).toEqual([...reference.keys()].sort());
    for (const [key, text] of reference) {
      expect({ key, placeholders: placeholders(other.get(key)!) }).toEqual({ key, placeholders: placeholders(text) });
      expect({ key, empty: other.get(key)!.trim() === '' }).toEqual({ key, empty: false });
    }
  });
});
