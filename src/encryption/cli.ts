/**
 * `npm run encryption:rotate`: re-encrypts every encrypted column and attachment under ENCRYPTION_KEY
 * while the product keeps running (see rotate.ts for the steps of a rotation).
 */
import { diskStorage } from '../attachments/storage.js';
import { ConfigError, loadConfig } from '../config.js';
import { openConfiguredDatabase } from '../db/open.js';
import { installKeyRing } from './columns.js';
import { loadKeyRing } from './key-file.js';
import { rotateEncryption } from './rotate.js';

const log = (line: string) => console.log(`[encryption] ${line}`);

try {
  const config = loadConfig(process.env);
  const installation = installKeyRing(await loadKeyRing(config, log));
  const keys = installation.ring;
  const database = await openConfiguredDatabase(config, log);
  try {
    const started = Date.now();
    log(`re-encrypting under key ${keys.current.id}; still readable: ${keys.all.slice(1).map((k) => k.id).join(', ') || 'no other key'}`);
    const report = await rotateEncryption({ db: database.db, keys, storage: diskStorage(config.attachmentsDir, keys) }, database.url, log);
    if (!report) process.exitCode = 1;
    else {
      const rows = Object.values(report.rows).reduce((a, b) => a + b, 0);
      log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${rows} rows (${Object.entries(report.rows).map(([t, n]) => `${t} ${n}`).join(', ')}), ${report.files} files, ${report.missingFiles} files missing`);
      if (report.missingFiles) log('some attachment files were missing: keep ENCRYPTION_PREVIOUS_KEYS until they are restored and this has run again');
      else log('every row and file is now under the current key: ENCRYPTION_PREVIOUS_KEYS can be emptied');
    }
  } finally {
    await database.close();
    installation.dispose();
  }
} catch (e) {
  console.error(e instanceof ConfigError ? `configuration: ${e.message}` : e);
  process.exitCode = 1;
}
