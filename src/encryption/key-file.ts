/** The key ring of a running install: from configuration, or on the embedded database a key file kept in DATA_DIR. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import { keyRing, parseKey, type KeyRing } from './keys.js';

/**
 * `npm start` with no configuration still encrypts: the first start writes a random key to
 * DATA_DIR/encryption.key (mode 0600), beside the database it protects. That guards copies of the
 * database files and backups, not a stolen DATA_DIR; production sets ENCRYPTION_KEY from a secret store.
 */
export async function loadKeyRing(config: Pick<Config, 'encryption' | 'dataDir'>, log: (message: string) => void = () => {}): Promise<KeyRing> {
  if (config.encryption) return keyRing(config.encryption.key, config.encryption.previous);
  const file = path.join(config.dataDir, 'encryption.key');
  const existing = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  if (existing !== null) return keyRing(parseKey(existing, file));
  await fs.mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  await fs.writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  log(`made a data encryption key in ${file}: back it up with the database, or set ENCRYPTION_KEY`);
  return keyRing(key);
}
