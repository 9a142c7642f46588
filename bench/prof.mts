import { spawn } from 'node:child_process';
const port = 3999;
const child = spawn('node', [...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/cpuprof'] : []), '--import', 'tsx', 'src/main.ts'], { env: { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/bench_full', PORT: String(port), HOST: '127.0.0.1', WEB_BUILD: 'off', LOG_LEVEL: 'warn', DATA_DIR: '/tmp/proftmp' }, stdio: ['ignore', 'inherit', 'inherit'] });
const a = `http://127.0.0.1:${port}`;
for (let i = 0; i < 300; i++) { if (await fetch(`${a}/health`).then((r) => r.ok, () => false)) break; await new Promise((r) => setTimeout(r, 100)); }
await new Promise((r) => setTimeout(r, Number(process.env.SETTLE ?? 0)));
const login = await fetch(`${a}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'owner@org1.bench.test', password: 'frontdesk-bench' }) });
const cookie = login.headers.get('set-cookie')!.split(';')[0];
for (const url of (process.argv[2] ?? '/api/v1/conversations').split(',')) {
  const times: number[] = [];
  for (let i = 0; i < Number(process.env.N ?? 60); i++) { const t = performance.now(); const r = await fetch(a + url, { headers: { cookie } }); await r.text(); times.push(performance.now() - t); }
  times.sort((x, y) => x - y);
  console.log(url, 'p50', times[30].toFixed(1), 'p90', times[54].toFixed(1));
}
child.kill('SIGTERM');
