import type { TestProject } from 'vitest/node';
import { testPostgres } from './postgres.js';
import { dropDatabase, prepareTemplate } from './template.js';

/** The machine's PostgreSQL server (CI's too) at TEST_DATABASE_URL, or the embedded one when none answers there. */
export default async function setup(project: TestProject) {
  const postgres = await testPostgres();
  const template = `frontdesk_tpl_${process.pid}`;
  await prepareTemplate(postgres.adminUrl, template);
  project.provide('adminUrl', postgres.adminUrl);
  project.provide('templateDb', template);
  return async () => {
    await dropDatabase(postgres.adminUrl, template);
    await postgres.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDb: string;
  }
}
