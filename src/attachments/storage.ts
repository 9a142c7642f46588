/**
 * Where attachment bytes live, behind one small interface; the disk implementation keeps them under
 * DATA_DIR, encrypted with AES-256-GCM under the data key (the file's storage key is its associated
 * data, so files cannot be swapped on disk unnoticed). The SHA-256 is of the plain bytes.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { bytesKeyId, openBytes, sealBytes, type Plaintext } from '../encryption/cipher.js';
import type { KeyRing } from '../encryption/keys.js';

export interface Storage {
  write(bytes: Buffer): Promise<{ key: string; sha256: string }>;
  read(key: string): Promise<Buffer>;
  /** Re-encrypts one file under the current key, in place and atomically; false when it already was. */
  rekey(key: string): Promise<boolean>;
}

/** `plaintext`: whether files from before encryption may still be on disk (encryption_state), so one without the header is read, or refused. */
export function diskStorage(root: string, keys: KeyRing, plaintext: Plaintext = 'refuse'): Storage {
  const file = (key: string) => {
    if (!/^[0-9a-f]{2}\/[0-9a-f-]{36}$/.test(key)) throw new Error('bad storage key');
    return path.join(root, key);
  };
  const put = async (key: string, plain: Buffer) => {
    // A new file first, then a rename: a reader sees the old file or the new one, never half of one.
    const temp = `${file(key)}.${randomUUID()}.tmp`;
    await fs.writeFile(temp, sealBytes(keys, plain, key), { mode: 0o600 });
    await fs.rename(temp, file(key));
  };
  return {
    async write(bytes) {
      const id = randomUUID();
      const key = `${id.slice(0, 2)}/${id}`;
      await fs.mkdir(path.dirname(file(key)), { recursive: true, mode: 0o700 });
      await put(key, bytes);
      return { key, sha256: createHash('sha256').update(bytes).digest('hex') };
    },
    async read(key) {
      return openBytes(keys, await fs.readFile(file(key)), key, plaintext);
    },
    async rekey(key) {
      const stored = await fs.readFile(file(key));
      if (bytesKeyId(stored) === keys.current.id) return false;
      // Sealing what is in clear is the rotation's job, whatever the setting.
      await put(key, openBytes(keys, stored, key, 'accept'));
      return true;
    },
  };
}
