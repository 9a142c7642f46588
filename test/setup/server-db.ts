import type { TestProject } from 'vitest/node';
import { dropDatabase, prepareTemplate } from './template.js';

/** The machine's PostgreSQL server (CI's too): TEST_DATABASE_URL names a database we may create databases from. */
export default async function setup(project: TestProject) {
  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const template = `frontdesk_tpl_${process.pid}`;
  await prepareTemplate(adminUrl, template);
  project.provide('adminUrl', adminUrl);
  project.provide('templateDb', template);
  return () => dropDatabase(adminUrl, template);
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDb: string;
  }
}
