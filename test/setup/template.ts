/** Builds a migrated template database once per run; each test file clones it (CREATE DATABASE … TEMPLATE), which takes milliseconds. */
import pg from 'pg';
import { migrateDatabase, openDatabase } from '../../src/db/client.js';

export async function prepareTemplate(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const database = openDatabase(withDatabase(adminUrl, name), { max: 1 });
  try {
    await migrateDatabase(database);
  } finally {
    await database.close();
  }
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
