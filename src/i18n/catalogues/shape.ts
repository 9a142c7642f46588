import type { en } from './en/index.js';

type Strings<T> = { [K in keyof T]: T[K] extends string ? string : Strings<T[K]> };
/**
 * The shape every catalogue has: English's keys, any wording. Its own file, below i18n/index.ts,
 * so the other languages' catalogues can name it without importing the module that imports them.
 */
export type Catalogue = Strings<typeof en>;
