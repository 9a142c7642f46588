/**
 * The real `npm start` path on the embedded database: it answers /health, keeps data across a
 * restart, and a Ctrl-C (SIGINT to the process group, as a terminal sends it) stops PostgreSQL too.
 * `npm start` runs the production build in dist/, building it only when it is missing or stale, and
 * that build also starts on its own with `node dist/main.js`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync, utimesSync } from 'node:fs';
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

function start(env: Record<string, string>, command: string[] = ['npm', 'start']): Running {
  const child = spawn(command[0], command.slice(1), { cwd: process.cwd(), env: { ...process.env, ...env, DATABASE_URL: '' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForHealth(port: number, running: Running, timeoutMs = 120_000): Promise<void> {
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

    // A source newer than the build: npm start must build first.
    const source = path.join(process.cwd(), 'src', 'main.ts');
    const now = new Date();
    utimesSync(source, now, now);
    const first = start(env);
    await waitForHealth(port, first);
    expect(first.output()).toContain('built the server into dist/');
    const built = statSync(path.join(process.cwd(), 'dist', 'main.js')).mtimeMs;
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
    // Up to date: the second start runs the same build without compiling again.
    expect(second.output()).not.toContain('built the server');
    expect(statSync(path.join(process.cwd(), 'dist', 'main.js')).mtimeMs).toBe(built);
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'sam@smoke.test', password: 'smoke-test-password' }),
    });
    expect(login.status).toBe(200);
    await stop(second);

    const direct = start(env, [process.execPath, 'dist/main.js']);
    await waitForHealth(port, direct);
    expect(await (await fetch(`http://127.0.0.1:${port}/livez`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${port}/`, { headers: { accept: 'text/html' } })).text()).toContain('<title>Frontdesk</title>');
    await stop(direct);
  });
});
