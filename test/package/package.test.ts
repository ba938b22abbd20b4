// The package as a user gets it: `npm pack`, install the tarball into a fresh project (offline: the package's
// dependencies come from this checkout's node_modules through file: overrides), then use it there — the README's
// Node example, its TypeScript types under node16 resolution, the `chronos-web` command (every subcommand's
// --help, a CSV forecast, the service), and the README's Vite example built by Vite and run in Chromium.
import { execFile, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadChronos2 } from '../../src/node/load-model';
import { startStaticServer } from '../../src/node/static-server';
// @ts-expect-error: plain ESM helper without type declarations
import { findChromium } from '../../scripts/find-chromium.mjs';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEPS = path.join(ROOT, 'node_modules');
const DEV_TOOLS = ['tsx', 'vite', 'vitest', '@playwright/test', 'playwright', 'typescript', 'react', 'react-dom', 'recharts', 'zustand'];
const SALES = [112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118, 115, 126, 141, 135, 125, 149, 170, 170, 158, 133, 114, 140];

let work: string;
let app: string;
let bin: string;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'chronos-web-pack-'));
  app = path.join(work, 'app');
  await fs.mkdir(app);
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  const [{ filename }] = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{ filename: string }>;
  const own = JSON.parse(await fs.readFile(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; optionalDependencies: Record<string, string> };
  const overrides = Object.fromEntries(
    [...Object.keys(own.dependencies), ...Object.keys(own.optionalDependencies)].map((name) => [name, `file:${path.join(DEPS, name)}`]),
  );
  await fs.writeFile(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies: { 'chronos-web': `file:${path.join(work, filename)}` }, overrides }),
  );
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: app });
  bin = path.join(app, 'node_modules', '.bin', 'chronos-web');
}, 300_000);

afterAll(async () => {
  if (work) await fs.rm(work, { recursive: true, force: true });
});

/** A child process environment without this checkout's tools on PATH or in NODE_OPTIONS. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: path.dirname(process.execPath) + path.delimiter + '/usr/bin:/bin', CHRONOS_WEB_CACHE: path.join(work, 'cache') };
  delete env.NODE_OPTIONS;
  return env;
}

describe('the installed package', () => {
  it('has the README\'s examples verbatim', async () => {
    const readme = await fs.readFile(path.join(ROOT, 'README.md'), 'utf8');
    for (const file of ['examples/node/forecast.mjs', 'examples/vite/main.js', 'examples/vite/index.html']) {
      expect(readme, file).toContain(await fs.readFile(path.join(ROOT, file), 'utf8'));
    }
  });

  it('ships compiled JS, types and the bundled model, and nothing of the dev toolchain', async () => {
    const pkgDir = path.join(app, 'node_modules', 'chronos-web');
    const pkg = JSON.parse(await fs.readFile(path.join(pkgDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; bin: Record<string, string> };
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@bsull/augurs', 'hash-wasm', 'onnx-proto', 'onnxruntime-web', 'papaparse']);
    expect(pkg.bin).toEqual({ 'chronos-web': 'lib/cli/chronos-web.js' });
    const top = await fs.readdir(pkgDir);
    expect(top.sort()).toEqual(['README.md', 'lib', 'package.json', 'public']);
    for (const file of ['lib/index.js', 'lib/index.d.ts', 'lib/node.js', 'lib/node.d.ts', 'lib/cli/chronos-web.js', 'public/models/chronos2-mini/model.onnx']) {
      await expect(fs.stat(path.join(pkgDir, file))).resolves.toBeTruthy();
    }
    await expect(fs.stat(path.join(pkgDir, 'lib', 'state'))).rejects.toThrow(/ENOENT/);
    const installed = await fs.readdir(path.join(app, 'node_modules'));
    for (const tool of DEV_TOOLS) expect(installed).not.toContain(tool.split('/')[0]);
    // What a registry install brings: the closure of `dependencies` + `optionalDependencies` from chronos-web down
    // (npm ls is no help here: it also walks the devDependencies of the file:-linked dependency folders).
    const closure = new Set<string>();
    const queue = [await fs.realpath(pkgDir)];
    while (queue.length > 0) {
      const dir = queue.pop()!;
      const meta = JSON.parse(await fs.readFile(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
      for (const name of Object.keys({ ...meta.dependencies, ...meta.optionalDependencies })) {
        if (closure.has(name)) continue;
        let at = dir;
        let found: string | null = null;
        while (found === null && at !== path.dirname(at)) {
          const candidate = path.join(at, 'node_modules', name);
          if (await fs.stat(path.join(candidate, 'package.json')).then(() => true, () => false)) found = candidate;
          at = path.dirname(at);
        }
        if (found === null) continue; // an optional dependency for another platform
        closure.add(name);
        queue.push(await fs.realpath(found));
      }
    }
    expect(closure).toContain('onnxruntime-web');
    expect(closure).toContain('onnxruntime-node');
    for (const tool of DEV_TOOLS) expect([...closure]).not.toContain(tool);
  });

  it('runs the README\'s Node example (onnxruntime-node) with the numbers of this checkout', async () => {
    await fs.copyFile(path.join(ROOT, 'examples/node/forecast.mjs'), path.join(app, 'forecast.mjs'));
    const { stdout } = await run(process.execPath, ['forecast.mjs'], { cwd: app, env: userEnv() });
    const model = await loadChronos2(undefined, { runtime: 'node' });
    const [f] = await model.predictQuantiles([SALES], { predictionLength: 6, quantileLevels: [0.1, 0.5, 0.9] });
    await model.dispose();
    const expected = Array.from({ length: 6 }, (_, t) => {
      const [low, median, high] = f.quantiles.subarray(t * 3, t * 3 + 3);
      return `t+${t + 1}: ${median.toFixed(2)} (80% interval ${low.toFixed(2)} to ${high.toFixed(2)})`;
    });
    expect(stdout.trim().split('\n')).toEqual(expected);
  });

  it('type-checks a TypeScript program against the shipped .d.ts (node16 resolution)', async () => {
    await fs.writeFile(
      path.join(app, 'check.ts'),
      [
        "import { loadChronos2, startForecastService, type QuantilesForecast } from 'chronos-web';",
        "import { Chronos2, parseCsv } from 'chronos-web/node';",
        'const model: Chronos2 = await loadChronos2();',
        'const out: QuantilesForecast[] = await model.predictQuantiles([[1, 2, 3, 4, 5]], { predictionLength: 2 });',
        'const horizon: number = out[0].horizon;',
        "const table = await parseCsv('a\\n1');",
        'void startForecastService; void horizon; void table;',
        '// @ts-expect-error: the service takes an options object',
        'void startForecastService(8080);',
        '// @ts-expect-error: predictionLength is a number',
        "await model.predict([[1, 2, 3]], { predictionLength: 'x' });",
        '',
      ].join('\n'),
    );
    await fs.writeFile(
      path.join(app, 'tsconfig.json'),
      // skipLibCheck as most projects set it (onnx-proto's own .d.ts needs a global Long); the @ts-expect-error
      // lines fail the check if the package's types did not resolve (they would be `any`).
      JSON.stringify({
        compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [path.join(DEPS, '@types')] },
        files: ['check.ts'],
      }),
    );
    await run(process.execPath, [path.join(DEPS, 'typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app }).catch((e: { stdout: string }) => {
      throw new Error(`tsc failed:\n${e.stdout}`);
    });
  });

  it('gives a chronos-web command with --help on every subcommand', async () => {
    const { stdout } = await run(bin, ['--help'], { cwd: app, env: userEnv() });
    for (const command of ['forecast', 'serve', 'convert', 'model', 'embed', 'parity', 'make-random']) {
      expect(stdout).toContain(command);
      const help = await run(bin, [command, '--help'], { cwd: app, env: userEnv() }).catch((e: { stdout: string; stderr: string }) => e);
      expect(`${help.stdout}${help.stderr}`, command).toMatch(/usage/);
    }
    const unknown = await run(bin, ['frobnicate'], { cwd: app, env: userEnv() }).catch((e: { code: number; stderr: string }) => e);
    expect(unknown).toMatchObject({ code: 1 });
    expect((unknown as { stderr: string }).stderr).toMatch(/unknown command "frobnicate"/);
  });

  it('forecasts a CSV with the bundled model from the command line', async () => {
    const out = path.join(work, 'airline-forecast.csv');
    const { stderr } = await run(bin, ['forecast', path.join(ROOT, '../shared/data/airline-passengers.csv'), '--horizon', '12', '--out', out], { cwd: app, env: userEnv() });
    expect(stderr).toMatch(/model chronos2-mini on onnxruntime-node/);
    const lines = (await fs.readFile(out, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(13);
    expect(lines[0]).toMatch(/^series,target,timestamp,mean,/);
    expect(lines[1]).toMatch(/^passengers,passengers,1961-01,\d+\.\d+/);
  });

  it('serves the endpoint API from the installed command and stops on SIGTERM', async () => {
    const child = spawn(bin, ['serve', '--port', '0', '--quiet'], { cwd: app, env: userEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(stderr);
        if (m) resolve(m[1]);
      });
      child.on('exit', () => reject(new Error(stderr)));
    });
    try {
      const r = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [{ target: SALES }], parameters: { prediction_length: 6 } }) });
      expect(r.status).toBe(200);
      const body = (await r.json()) as { predictions: Array<Record<string, number[]>> };
      expect(Object.keys(body.predictions[0])).toEqual(['mean', '0.1', '0.5', '0.9']);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('runs the README\'s Vite example in Chromium with the numbers of onnxruntime-web in Node', async () => {
    const site = path.join(work, 'site');
    await fs.mkdir(path.join(app, 'public', 'models'), { recursive: true });
    for (const f of ['index.html', 'main.js']) await fs.copyFile(path.join(ROOT, 'examples/vite', f), path.join(app, f));
    // The README's two copy steps: onnxruntime-web's runtime files and the bundled model into public/.
    await fs.mkdir(path.join(app, 'public', 'ort'));
    for (const f of ['ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm']) {
      await fs.copyFile(path.join(app, 'node_modules/onnxruntime-web/dist', f), path.join(app, 'public/ort', f));
    }
    await fs.cp(path.join(app, 'node_modules/chronos-web/public/models/chronos2-mini'), path.join(app, 'public/models/chronos2-mini'), { recursive: true });
    await run(process.execPath, [path.join(DEPS, 'vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', site], { cwd: app });
    const server = await startStaticServer({ '/': site });
    const browser = await chromium.launch({ executablePath: findChromium(), args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}/`);
      const crossOriginIsolated = await page.evaluate(() => globalThis.crossOriginIsolated);
      expect(crossOriginIsolated).toBe(true); // so onnxruntime-web runs WASM threads (workers) in this page
      await page.waitForFunction(() => document.querySelector('#forecast')?.textContent?.includes('t+6'), undefined, { timeout: 30_000 }).catch(() => {
        throw new Error(`the page did not forecast: ${errors.join('; ')}`);
      });
      const shown = await page.textContent('#forecast');
      const model = await loadChronos2(undefined, { runtime: 'web' });
      const [f] = await model.predictQuantiles([SALES], { predictionLength: 6, quantileLevels: [0.1, 0.5, 0.9] });
      await model.dispose();
      expect(shown).toBe(Array.from(f.mean, (m, t) => `t+${t + 1}: ${m.toFixed(2)}`).join('\n'));
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
