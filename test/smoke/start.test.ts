/**
 * The real `npm start` path on the embedded database: it answers /health, keeps data across a
 * restart, and a Ctrl-C (SIGINT to the process group, as a terminal sends it) stops PostgreSQL too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Running {
  const child = spawn('npm', ['start'], { cwd: process.cwd(), env: { ...process.env, ...env, DATABASE_URL: '' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForHealth(port: number, running: Running, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (running.child.exitCode !== null) throw new Error(`npm start exited early:\n${running.output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no /health within ${timeoutMs} ms:\n${running.output()}`);
}

/** Ctrl-C, then wait until the embedded PostgreSQL has removed its pid file (npm itself exits on the signal at once). */
async function stop(running: Running): Promise<void> {
  process.kill(-running.child.pid!, 'SIGINT');
  await running.exited;
  const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
  for (let i = 0; i < 100 && existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
  expect(existsSync(pidFile), running.output()).toBe(false);
  expect(running.output()).toContain('SIGINT: shutting down');
}

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'frontdesk-smoke-'));
await fs.chmod(dataDir, 0o755);
afterAll(() => fs.rm(dataDir, { recursive: true, force: true }));

describe('npm start on the embedded database', () => {
  it('serves /health and the web page, stops cleanly on Ctrl-C, and keeps its data for the next start', async () => {
    const port = await freePort();
    const env = { PORT: String(port), DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()), LOG_LEVEL: 'warn' };

    const first = start(env);
    await waitForHealth(port, first);
    expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toContain('<title>Frontdesk</title>');
    const signup = await fetch(`http://127.0.0.1:${port}/api/v1/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ organizationName: 'Smoke', clinicName: 'Smoke Clinic', name: 'Sam', email: 'sam@smoke.test', password: 'smoke-test-password' }),
    });
    expect(signup.status).toBe(201);
    await stop(first);

    const second = start(env);
    await waitForHealth(port, second);
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'sam@smoke.test', password: 'smoke-test-password' }),
    });
    expect(login.status).toBe(200);
    await stop(second);
  });
});
