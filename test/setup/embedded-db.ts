import type { TestProject } from 'vitest/node';
import { startTestEmbedded } from './postgres.js';
import { prepareTemplate } from './template.js';

/** The API suite once more, on the embedded PostgreSQL that `npm start` uses. */
export default async function setup(project: TestProject) {
  const postgres = await startTestEmbedded();
  const template = 'frontdesk_tpl';
  await prepareTemplate(postgres.adminUrl, template);
  project.provide('adminUrl', postgres.adminUrl);
  project.provide('templateDb', template);
  return () => postgres.stop();
}
