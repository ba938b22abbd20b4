// `chronos-web serve` as a real process: it starts on a free port, logs each request as a JSON line, and on
// SIGTERM finishes the request in flight, refuses new connections and exits 0.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

it('serves, then shuts down gracefully on SIGTERM with a request in flight', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/serve.ts', '--port', '0', '--runtime', 'node'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(stderr);
      if (m) resolve(m[1]);
    });
    child.on('exit', () => reject(new Error(`serve exited early:\n${stderr}`)));
  });
  try {
    expect(stderr).toMatch(/chronos2-mini \(1,429,280 parameters, onnxruntime-node \(CPU\)\)/);
    const inputs = Array.from({ length: 300 }, (_, k) => ({ target: Array.from({ length: 512 }, (_, t) => Math.sin((t + k) / 5)) }));
    const pending = fetch(`${url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-in-flight' },
      body: JSON.stringify({ inputs, parameters: { prediction_length: 64 } }),
    });
    // In flight once the service's gauge says so.
    for (;;) {
      const metrics = await (await fetch(`${url}/metrics`)).text();
      if (/^chronos_inflight_requests 1$/m.test(metrics)) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGTERM');
    const response = await pending;
    expect(response.status).toBe(200);
    const body = (await response.json()) as { predictions: unknown[] };
    expect(body.predictions).toHaveLength(300);
    expect(await exited).toBe(0);
    await expect(fetch(`${url}/ping`)).rejects.toThrow();
    expect(stderr).toMatch(/SIGTERM: finishing 1 request\(s\) in flight/);
    const log = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(log.find((e) => e.id === 'req-in-flight')).toMatchObject({ method: 'POST', path: '/invocations', status: 200, series: 300 });
  } finally {
    child.kill('SIGKILL');
  }
});
