// `npm run load-test -- [--model M] [--duration S] [--connections 1,8,64] [--length 512] [--horizon 64]`:
// load test of the forecasting service with autocannon. Starts `chronos-web serve` as its own process (so the
// load generator does not share its event loop), sends one-series /invocations requests at each concurrency, and
// prints requests/s, p50/p99 latency and the batching gain: the same concurrency against a service that runs one
// request per model call (--batch-rows 1, i.e. one at a time). Prints a markdown table for docs/benchmarks.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: autocannon ships no type declarations
import autocannon from 'autocannon';
import { runCli } from '../cli/run-cli';

const USAGE = 'usage: npm run load-test -- [--model M] [--duration S] [--connections 1,8,64] [--length 512] [--horizon 64] [--batch-rows 32] [--batch-window-ms N]';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Result {
  connections: number;
  batchRows: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
}

/** Starts the service (compiled bin when built, else from source) and resolves with its URL. */
async function startService(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const compiled = `${ROOT}lib/cli/chronos-web.js`;
  const command = existsSync(compiled) ? [compiled, 'serve'] : ['--import', 'tsx', `${ROOT}src/cli/serve.ts`];
  const child = spawn(process.execPath, [...command, '--port', '0', '--quiet', '--max-inflight', '512', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(stderr);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`the service exited (${code}):\n${stderr}`)));
  });
  return { url, child };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function load(url: string, body: string, connections: number, duration: number): Promise<Omit<Result, 'batchRows'>> {
  return new Promise((resolve, reject) => {
    autocannon(
      { url: `${url}/invocations`, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration, pipelining: 1 },
      (error: Error | null, r: { requests: { average: number; total: number }; latency: { p50: number; p99: number }; errors: number; non2xx: number; duration: number }) => {
        if (error) return reject(error);
        resolve({ connections, requestsPerSecond: r.requests.total / r.duration, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx, total: r.requests.total });
      },
    );
  });
}

runCli(async (args) => {
  let model: string | undefined;
  let duration = 10;
  let connections = [1, 8, 64];
  let length = 512;
  let horizon = 64;
  let batchRows = 32;
  const extra: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const v = args[++i];
    if (a === '--model') model = v;
    else if (a === '--duration') duration = Number(v);
    else if (a === '--connections') connections = (v ?? '').split(',').map(Number);
    else if (a === '--length') length = Number(v);
    else if (a === '--horizon') horizon = Number(v);
    else if (a === '--batch-rows') batchRows = Number(v);
    else if (a === '--batch-window-ms') extra.push(a, v ?? '');
    else throw new Error(USAGE);
  }
  if (![duration, length, horizon, batchRows, ...connections].every((n) => Number.isSafeInteger(n) && n > 0)) throw new Error(USAGE);
  const target = Array.from({ length }, (_, t) => Math.round((100 + 10 * Math.sin(t / 4) + 0.05 * t) * 1000) / 1000);
  const body = JSON.stringify({ inputs: [{ target }], parameters: { prediction_length: horizon } });
  const modelArgs = [...(model ? ['--model', model] : []), ...extra];

  const results: Result[] = [];
  for (const rows of [batchRows, 1]) {
    const { url, child } = await startService([...modelArgs, '--batch-rows', String(rows)]);
    try {
      await load(url, body, 4, 2); // warm-up
      for (const c of rows === 1 ? [Math.max(...connections)] : connections) {
        const r = { ...(await load(url, body, c, duration)), batchRows: rows };
        console.error(`batch rows ${rows}, ${c} connection(s): ${r.requestsPerSecond.toFixed(1)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.non2xx} non-2xx, ${r.errors} errors`);
        results.push(r);
      }
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const calls = /^chronos_model_calls_total (\d+)/m.exec(metrics)?.[1];
      const sum = /^chronos_model_batch_rows_sum (\d+)/m.exec(metrics)?.[1];
      if (calls && sum) console.error(`  ${calls} model calls, ${(Number(sum) / Number(calls)).toFixed(1)} rows per call on average`);
    } finally {
      await stop(child);
    }
  }
  const top = Math.max(...connections);
  const batched = results.find((r) => r.batchRows === batchRows && r.connections === top)!;
  const single = results.find((r) => r.batchRows === 1)!;
  console.log(`| concurrency | rows per model call | requests/s | p50 ms | p99 ms | non-2xx |\n|---|---|---|---|---|---|`);
  for (const r of results) console.log(`| ${r.connections} | ≤ ${r.batchRows} | ${r.requestsPerSecond.toFixed(1)} | ${r.p50} | ${r.p99} | ${r.non2xx + r.errors} |`);
  console.log(`\nbatching gain at concurrency ${top}: ${(batched.requestsPerSecond / single.requestsPerSecond).toFixed(2)}× (${batched.requestsPerSecond.toFixed(1)} vs ${single.requestsPerSecond.toFixed(1)} requests/s)`);
});
