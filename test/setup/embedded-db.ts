import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { prepareTemplate, withDatabase } from './template.js';

/** The embedded PostgreSQL of `npm start`, in a throw-away data directory on a free port. */
export default async function setup(project: TestProject) {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'frontdesk-embedded-'));
  await fs.chmod(dataDir, 0o755);
  const port = 55000 + (process.pid % 5000);
  const server = await startEmbeddedPostgres({ dataDir, port, log: () => {} });
  const adminUrl = withDatabase(server.url, 'postgres');
  const template = 'frontdesk_tpl';
  await prepareTemplate(adminUrl, template);
  project.provide('adminUrl', adminUrl);
  project.provide('templateDb', template);
  return async () => {
    await server.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  };
}
