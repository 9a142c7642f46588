/** What the multi-process smoke tests share: waiting for an outcome, and the child processes they start. */
import { spawn, type ChildProcess } from 'node:child_process';

/** Polls until `check` gives a truthy value (errors count as not yet), or fails naming `what`. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `npm start`'s program in its own process group (so a kill takes its children too). */
export function startFrontdesk(children: ChildProcess[], args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn('node_modules/.bin/tsx', ['src/main.ts', ...args], { env: { ...process.env, ...env }, detached: true, stdio: 'ignore' });
  children.push(child);
  return child;
}

export function stopAll(children: ChildProcess[], signal: NodeJS.Signals): void {
  for (const child of children) {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  }
}
