/**
 * The bundled breached-password list: the ~49,000 passwords most common in public breach corpora,
 * as shipped by @zxcvbn-ts/language-common (MIT). Checked case-insensitively, and with trailing
 * digits and symbols stripped as well, so "Password2024!" counts as "password".
 */
import { dictionary } from '@zxcvbn-ts/language-common';

let list: Set<string> | undefined;

export function isBreachedPassword(password: string): boolean {
  list ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  const lower = password.toLowerCase();
  const stem = lower.replace(/[\d\W_]+$/, '');
  return list.has(lower) || (stem.length >= 6 && list.has(stem));
}
