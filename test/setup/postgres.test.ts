/**
 * I19: `npm test` on a machine without a PostgreSQL server: the suites' setup falls back to the
 * embedded PostgreSQL and says so; a server that answers with an error is reported, not papered over.
 */
import net from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { serverAnswers, testPostgres } from './postgres.js';

/** A port nothing listens on: taken from the system, then let go. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('the tests\' PostgreSQL', () => {
  it('falls back to the embedded PostgreSQL when no server answers at TEST_DATABASE_URL, and says so', async () => {
    const url = `postgres://postgres:secret@127.0.0.1:${await closedPort()}/postgres`;
    const lines: string[] = [];
    const postgres = await testPostgres(url, (line) => lines.push(line));
    try {
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/No PostgreSQL server answers at .*127\.0\.0\.1.*: these tests run on the embedded PostgreSQL instead/);
      expect(lines[0]).not.toContain('secret');
      expect(postgres.adminUrl).not.toBe(url);
      const client = new pg.Client({ connectionString: postgres.adminUrl });
      await client.connect();
      const { rows } = await client.query<{ n: number }>('select 1 as n');
      await client.end();
      expect(rows).toEqual([{ n: 1 }]);
    } finally {
      await postgres.stop();
    }
  }, 120_000);

  it('does not fall back when something answers but refuses: that is for the person running the tests to fix', async () => {
    const server = net.createServer((socket) => socket.destroy()).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      await expect(serverAnswers(`postgres://postgres@127.0.0.1:${port}/postgres`)).rejects.toThrow();
    } finally {
      server.close();
    }
  });
});
