/**
 * English, the reference catalogue: every other language has exactly these keys (the type
 * `Catalogue` makes a missing or extra key a compile error, and `catalogues.test.ts` checks the
 * placeholders match). Plurals follow i18next's suffixes (`_one`, `_other`).
 */
import { common } from './common.js';
import { patient } from './patient.js';
import { staff } from './staff.js';

export const en = { common, patient, staff };
