/** Where attachment bytes live, behind one small interface; the disk implementation keeps them under DATA_DIR. */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface Storage {
  write(bytes: Buffer): Promise<{ key: string; sha256: string }>;
  read(key: string): Promise<Buffer>;
}

export function diskStorage(root: string): Storage {
  const file = (key: string) => {
    if (!/^[0-9a-f]{2}\/[0-9a-f-]{36}$/.test(key)) throw new Error('bad storage key');
    return path.join(root, key);
  };
  return {
    async write(bytes) {
      const id = randomUUID();
      const key = `${id.slice(0, 2)}/${id}`;
      await fs.mkdir(path.dirname(file(key)), { recursive: true, mode: 0o700 });
      await fs.writeFile(file(key), bytes, { mode: 0o600 });
      return { key, sha256: createHash('sha256').update(bytes).digest('hex') };
    },
    read: (key) => fs.readFile(file(key)),
  };
}
