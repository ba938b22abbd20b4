// `npm run bench [-- --quick] [--backends a,b] [--out docs/benchmarks.json]`: measures Chronos-2 at the
// sizes of amazon/chronos-2 (120M) and autogluon/chronos-2-small (28M), random weights from the project's
// seeded generator, on every backend of this machine in one run: onnxruntime-web WASM in Chromium
// (cross-origin isolated), WebGPU where a real adapter exists, onnxruntime-web in Node, onnxruntime-node.
// Reports series/s, latency p50/p95, peak memory and GFLOP/s next to each backend's matmul ceiling, as
// JSON and as a table in docs/benchmarks.md.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { convertCheckpoint } from '../model/convert';
import { parseChronos2Config } from '../model/config';
import { makeChronos2ConfigJson, randomChronos2Tensors, writeSafetensors } from '../model/random-checkpoint';
import { startStaticServer } from '../node/static-server';
import type { BenchPageApi } from '../bench/page';
import type { CallShape } from '../bench/flops';
import type { ForwardMeasurement, MatmulMeasurement } from '../bench/measure';
import type { NodeJob } from '../bench/node-backend';
import { gpuDiagnosticsMarkdown, gpuReportMarkdown } from '../bench/gpu-report';
import { isSoftwareAdapter, type GpuDiagnostics, type GpuSuiteReport } from '../bench/gpu-suite';
import { appFiguresTable, measureApp, type AppFigures } from '../bench/app-figures';
import { PRESETS } from '../model/presets';
import { runCli } from './run-cli';
// @ts-expect-error: plain ESM helper without type declarations
import { findChromium } from '../../scripts/find-chromium.mjs';

/** Graph variants: fused fp32 (the default), plain ops, and weight-only quantized (fused). */
type GraphVariant = 'fused' | 'plain' | 'int8' | 'int4';
type Backend = 'chromium-wasm' | 'chromium-webgpu' | 'node-web' | 'node-native';
const ALL_BACKENDS: Backend[] = ['chromium-wasm', 'chromium-webgpu', 'node-web', 'node-native'];

/** One backend × model × graph variant. */
interface BackendRun {
  backend: Backend;
  model: string;
  graph: GraphVariant;
  threads: number;
  sessionMs?: number;
  peakMemoryBytes?: number | null;
  matmul?: MatmulMeasurement;
  results: ForwardMeasurement[];
  skipped?: string;
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--enable-unsafe-webgpu'];

let built = false;
/** Builds the app once per run (so the pages measured are the current sources), unless --no-build. */
function ensureBuilt(): string {
  const dist = path.join(REPO, 'dist');
  const skip = process.argv.includes('--no-build') && existsSync(path.join(dist, 'bench.html'));
  if (!built && !skip) execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: REPO, stdio: 'inherit' });
  built = true;
  return dist;
}

async function appFigures(): Promise<AppFigures> {
  const server = await startStaticServer({ '/': ensureBuilt() });
  const browser = await chromium.launch({ executablePath: findChromium() as string, args: CHROMIUM_ARGS });
  try {
    return await measureApp(browser, server.url, 'wasm');
  } finally {
    await browser.close();
    await server.close();
  }
}

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const CACHE = path.join(REPO, '.cache/bench');
const UPSTREAM = {
  // The upstream PyTorch pipeline (torch 1.13 CPU, 2 threads, this machine kind), from the issue.
  'chronos-2': { seriesPerSecondB32T512: 7.25, latencyB1T512Ms: 477 },
  'chronos-2-small': { seriesPerSecondB32T512: 26.3, latencyB1T512Ms: 150 },
} as const;

async function prepareModel(preset: string, graph: GraphVariant): Promise<string> {
  const out = path.join(CACHE, `${preset}-${graph}`);
  if (existsSync(path.join(out, 'manifest.json'))) return out;
  const configJson = makeChronos2ConfigJson(PRESETS[preset]);
  const config = parseChronos2Config(configJson);
  const safetensors = writeSafetensors(randomChronos2Tensors(config, 0));
  const converted = await convertCheckpoint({ configText: JSON.stringify(configJson), safetensors }, {
    name: preset,
    fused: graph !== 'plain',
    weightStorage: graph === 'int8' || graph === 'int4' ? graph : 'float32',
  });
  await fs.mkdir(out, { recursive: true });
  await fs.writeFile(path.join(out, 'model.onnx'), converted.onnx);
  await fs.writeFile(path.join(out, 'manifest.json'), JSON.stringify(converted.manifest));
  return out;
}

function runNodeJob(job: NodeJob): Promise<{ sessionMs: number; matmul: MatmulMeasurement; results: ForwardMeasurement[]; peakRssBytes: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/bench/node-backend.ts'), JSON.stringify(job)], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`${job.backend} job exited with ${code}`))));
  });
}

function fmt(x: number | undefined, digits = 1): string {
  return x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}

function markdownTable(runs: BackendRun[]): string {
  const rows = ['| backend | model | graph | B | T | H | series/s | p50 ms | p95 ms | GFLOP/s | matmul GFLOP/s | % of matmul | peak MB |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|'];
  for (const r of runs) {
    if (r.skipped) {
      rows.push(`| ${r.backend} | ${r.model} | ${r.graph} | | | | skipped: ${r.skipped} | | | | | | |`);
      continue;
    }
    for (const m of r.results) {
      const ceiling = r.matmul?.gflops;
      rows.push(
        `| ${r.backend} (${r.threads} thr) | ${r.model} | ${r.graph} | ${m.batch} | ${m.contextLength} | ${m.horizon} | ${fmt(m.seriesPerSecond, 2)} | ${fmt(m.latency.p50, 0)} | ${fmt(m.latency.p95, 0)} | ${fmt(m.gflops)} | ${fmt(ceiling)} | ${ceiling ? fmt((100 * m.gflops) / ceiling, 0) : '–'} | ${r.peakMemoryBytes ? fmt(r.peakMemoryBytes / 1e6, 0) : '–'} |`,
      );
    }
  }
  return rows.join('\n');
}

function comparison(runs: BackendRun[]): string {
  const lines = ['| backend | model | series/s at B=32/T=512/H=64 | × upstream PyTorch | latency B=1/T=512 | upstream B=1 |', '|---|---|---|---|---|---|'];
  for (const r of runs.filter((x) => !x.skipped && x.graph === 'fused')) {
    const up = UPSTREAM[r.model as keyof typeof UPSTREAM];
    const b32 = r.results.find((m) => m.batch === 32 && m.contextLength === 512);
    const b1 = r.results.find((m) => m.batch === 1 && m.contextLength === 512);
    if (!up) continue;
    lines.push(
      `| ${r.backend} | ${r.model} | ${fmt(b32?.seriesPerSecond, 2)} | ${b32 ? fmt(b32.seriesPerSecond / up.seriesPerSecondB32T512, 2) : '–'} | ${b1 ? `${fmt(b1.latency.p50, 0)} ms` : '–'} | ${up.latencyB1T512Ms} ms |`,
    );
  }
  return lines.join('\n');
}

async function chromiumRuns(backends: Backend[], models: Array<{ preset: string; graph: GraphVariant; dir: string }>, shapes: CallShape[], matmul: [number, number, number]): Promise<BackendRun[]> {
  const dist = ensureBuilt();
  const mounts: Record<string, string> = { '/': dist };
  for (const m of models) mounts[`/bench-models/${m.preset}-${m.graph}/`] = m.dir;
  const server = await startStaticServer(mounts);
  const executablePath = findChromium() as string | undefined;
  if (!executablePath) throw new Error('no Chromium found: run `bash scripts/ensure-chromium.sh`');
  const browser = await chromium.launch({
    executablePath,
    args: CHROMIUM_ARGS,
  });
  const runs: BackendRun[] = [];
  try {
    for (const backend of backends.filter((b) => b.startsWith('chromium'))) {
      const kind = backend === 'chromium-webgpu' ? 'webgpu' : 'wasm';
      for (const m of models) {
        // A fresh page per run so WASM memory of one model does not count for the next.
        const page: Page = await browser.newPage();
        try {
          // WebGPU as the app runs it: ORT's native WebGPU EP build (src/runtime/webgpu-runtime.ts).
          await page.goto(`${server.url}/bench.html${kind === 'webgpu' ? '?ep=native' : ''}`);
          await page.waitForFunction(() => 'chronosBench' in window);
          const env = await page.evaluate(() => (window as unknown as { chronosBench: BenchPageApi }).chronosBench.environment());
          if (kind === 'webgpu') {
            const adapter = await page.evaluate(() => (window as unknown as { chronosBench: BenchPageApi }).chronosBench.adapter());
            if (!adapter || isSoftwareAdapter(adapter)) {
              const skipped = adapter ? `software adapter only (${`${adapter.vendor} ${adapter.architecture}`.trim()})` : 'no WebGPU adapter';
              runs.push({ backend, model: m.preset, graph: m.graph, threads: env.threads, results: [], skipped });
              continue;
            }
          }
          const mm = await page.evaluate(([k, a, b, c]) => (window as unknown as { chronosBench: BenchPageApi }).chronosBench.matmul(k, a, b, c), [kind, ...matmul] as const);
          const fw = await page.evaluate(
            ([url, k, s]) => (window as unknown as { chronosBench: BenchPageApi }).chronosBench.forward(url, k, s),
            [`/bench-models/${m.preset}-${m.graph}/`, kind, shapes] as const,
          );
          const memory = await page.evaluate(() => (window as unknown as { chronosBench: BenchPageApi }).chronosBench.memory());
          runs.push({ backend, model: m.preset, graph: m.graph, threads: env.threads, sessionMs: fw.sessionMs, matmul: mm, results: fw.results, peakMemoryBytes: memory });
          console.log(`  ${backend} ${m.preset} ${m.graph}: ${fw.results.map((r) => `B=${r.batch} T=${r.contextLength} ${r.seriesPerSecond.toFixed(2)} series/s`).join(', ')}`);
        } finally {
          await page.close();
        }
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return runs;
}

/** Replaces the section between `<!-- {marker}:start -->` and `<!-- {marker}:end -->` of docs/benchmarks.md. */
async function replaceDocSection(marker: string, body: string): Promise<void> {
  const file = path.join(REPO, 'docs/benchmarks.md');
  const text = await fs.readFile(file, 'utf8');
  const open = `<!-- ${marker}:start -->`;
  const start = text.indexOf(open);
  const end = text.indexOf(`<!-- ${marker}:end -->`);
  if (start < 0 || end < start) throw new Error(`${file}: missing the ${open} / <!-- ${marker}:end --> markers`);
  await fs.writeFile(file, `${text.slice(0, start)}${open}\n${body}\n${text.slice(end)}`);
  console.log(`updated ${file}`);
}

/** Replaces the generated section of docs/benchmarks.md with this run's tables. */
async function updateDocs(date: string, machine: Record<string, unknown>, tables: string): Promise<void> {
  await replaceDocSection(
    'bench',
    `Last full run: ${date} on ${String(machine.cpus)} (${String(machine.cores)} cores, ${String(machine.memoryGiB)} GiB), Node ${String(machine.node)}. Raw data: docs/benchmarks.json.\n\n${tables}`,
  );
}

/**
 * `--gpu-report FILE[,FILE…] [--machine TEXT]`: reports of scripts/device/webgpu-bench.sh (suite reports and
 * ceiling/profile diagnostics) → docs/benchmarks-webgpu.json and the WebGPU section of docs/benchmarks.md.
 */
async function importGpuReports(files: string[], machine: string): Promise<void> {
  const reports: GpuSuiteReport[] = [];
  const diagnostics: GpuDiagnostics[] = [];
  for (const file of files) {
    let json: Partial<GpuSuiteReport & GpuDiagnostics>;
    try {
      json = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<GpuSuiteReport & GpuDiagnostics>;
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message}`);
    }
    if (!json.adapter) throw new Error(`${file}: no adapter in this report (not from a GPU?)`);
    if (Array.isArray(json.runs)) reports.push(json as GpuSuiteReport);
    else if (Array.isArray(json.profiles)) diagnostics.push(json as GpuDiagnostics);
    else throw new Error(`${file}: neither a WebGPU suite report nor diagnostics`);
  }
  await fs.writeFile(path.join(REPO, 'docs/benchmarks-webgpu.json'), `${JSON.stringify({ machine, reports, diagnostics }, null, 2)}\n`);
  const ceiling = diagnostics.find((d) => d.matmulChain)?.matmulChain?.gflops;
  const sections = [...reports.map((r) => gpuReportMarkdown(r, machine, UPSTREAM, ceiling)), ...diagnostics.map((d) => gpuDiagnosticsMarkdown(d))];
  await replaceDocSection('bench-webgpu', `Raw data: docs/benchmarks-webgpu.json.\n\n${sections.join('\n\n')}`);
}

/**
 * `--app [--baseline DIR] [--rounds N]`: only the app figures, of this build and (with --baseline) of another
 * built app folder, measured alternately in one run so a busy machine weighs on both alike.
 */
async function appOnly(args: string[]): Promise<void> {
  const baselineIndex = args.indexOf('--baseline');
  const baseline = baselineIndex >= 0 ? args[baselineIndex + 1] : undefined;
  if (baselineIndex >= 0 && (!baseline || !existsSync(path.join(baseline, 'index.html')))) throw new Error('--baseline needs a built app folder (with index.html)');
  const roundsIndex = args.indexOf('--rounds');
  const rounds = roundsIndex >= 0 ? Number(args[roundsIndex + 1]) : 3;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds needs a positive integer');
  const builds = [...(baseline ? [{ label: 'before', dir: path.resolve(baseline) }] : []), { label: 'after', dir: ensureBuilt() }];
  const servers = await Promise.all(builds.map((b) => startStaticServer({ '/': b.dir })));
  const browser = await chromium.launch({ executablePath: findChromium() as string, args: CHROMIUM_ARGS });
  const results = builds.map((b) => ({ label: b.label, rounds: [] as AppFigures[] }));
  try {
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < builds.length; i++) {
        const load = os.loadavg()[0].toFixed(2);
        const figures = await measureApp(browser, servers[i].url, 'wasm');
        results[i].rounds.push(figures);
        console.log(`  round ${round + 1} ${builds[i].label} (load ${load}): ${JSON.stringify(figures)}`);
      }
    }
  } finally {
    await browser.close();
    await Promise.all(servers.map((s) => s.close()));
  }
  console.log(`\n${appFiguresTable(results)}\n\nload average after the run: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

runCli(async (args) => {
  if (args.includes('--app')) return appOnly(args);
  const gpuIndex = args.indexOf('--gpu-report');
  if (gpuIndex >= 0) {
    const files = args[gpuIndex + 1];
    if (!files || files.startsWith('--')) throw new Error('--gpu-report needs the report files: --gpu-report A.json[,B.json…] [--machine "…"]');
    const machineIndex = args.indexOf('--machine');
    const machine = machineIndex >= 0 ? args[machineIndex + 1] : 'a GPU machine';
    if (!machine || machine.startsWith('--')) throw new Error('--machine needs a description of the GPU machine');
    return importGpuReports(files.split(','), machine);
  }
  const quick = args.includes('--quick');
  const outIndex = args.indexOf('--out');
  const out = outIndex >= 0 ? args[outIndex + 1] : path.join(REPO, quick ? '.cache/bench/quick.json' : 'docs/benchmarks.json');
  const backendIndex = args.indexOf('--backends');
  const backends = backendIndex >= 0 ? (args[backendIndex + 1].split(',') as Backend[]) : ALL_BACKENDS;
  for (const b of backends) if (!ALL_BACKENDS.includes(b)) throw new Error(`unknown backend ${b}; known: ${ALL_BACKENDS.join(', ')}`);

  const presets = quick ? ['chronos-2-small'] : ['chronos-2', 'chronos-2-small'];
  const shapes: CallShape[] = quick
    ? [{ batch: 1, contextLength: 512, horizon: 64 }, { batch: 32, contextLength: 512, horizon: 64 }]
    : [1, 32].flatMap((batch) => [512, 2048].map((contextLength) => ({ batch, contextLength, horizon: 64 })));
  // Before/after of the fused graph, measured in the same run on the 28M model at B=32/T=512.
  const variantShapes: CallShape[] = [{ batch: 32, contextLength: 512, horizon: 64 }];
  const matmul: [number, number, number] = [1024, 768, 3072];
  const threads = Math.min(2, os.availableParallelism());

  console.log('preparing models (seeded random weights, real architectures)…');
  const models: Array<{ preset: string; graph: GraphVariant; dir: string; shapes: CallShape[] }> = [];
  for (const preset of presets) models.push({ preset, graph: 'fused', dir: await prepareModel(preset, 'fused'), shapes });
  for (const graph of ['plain', 'int8', 'int4'] as const) {
    models.push({ preset: 'chronos-2-small', graph, dir: await prepareModel('chronos-2-small', graph), shapes: variantShapes });
  }

  const runs: BackendRun[] = [];
  for (const backend of backends.filter((b): b is 'node-web' | 'node-native' => b.startsWith('node'))) {
    for (const m of models) {
      const r = await runNodeJob({ backend, modelDir: m.dir, shapes: m.shapes, threads, matmul });
      runs.push({ backend, model: m.preset, graph: m.graph, threads, sessionMs: r.sessionMs, matmul: r.matmul, results: r.results, peakMemoryBytes: r.peakRssBytes });
      console.log(`  ${backend} ${m.preset} ${m.graph}: ${r.results.map((x) => `B=${x.batch} T=${x.contextLength} ${x.seriesPerSecond.toFixed(2)} series/s`).join(', ')}`);
    }
  }
  if (backends.some((b) => b.startsWith('chromium'))) {
    for (const m of models) {
      runs.push(...(await chromiumRuns(backends, [m], m.shapes, matmul)));
    }
  }

  let app: AppFigures | undefined;
  if (backends.includes('chromium-wasm')) {
    app = await appFigures();
    console.log(`  app: cold start ${app.coldStartToFirstForecastMs.toFixed(0)} ms (model ready ${app.modelReadyMs.toFixed(0)} ms), slider-to-paint ${app.sliderToPaintMs.map((x) => x.toFixed(0)).join('/')} ms, longest task ${app.longestTaskMs.toFixed(0)} ms`);
  }

  const report = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus()[0]?.model, cores: os.availableParallelism(), memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    matmulShape: matmul,
    runs,
    app,
  };
  await fs.mkdir(path.dirname(out), { recursive: true });
  await fs.writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  const appTable = app
    ? `| app figure (Chromium, WASM) | value |\n|---|---|\n| cold start → model ready / first airline forecast / metrics | ${app.modelReadyMs.toFixed(0)} / ${app.coldStartToFirstForecastMs.toFixed(0)} / ${app.coldStartToMetricsMs.toFixed(0)} ms |\n| slider → paint within a patch bucket (5 moves) | ${app.sliderToPaintMs.map((x) => x.toFixed(0)).join(', ')} ms |\n| longest main-thread task during the forecast | ${app.longestTaskMs.toFixed(0)} ms (${app.longTasks} tasks ≥ 50 ms) |`
    : '';
  const tables = `${markdownTable(runs)}\n\n${comparison(runs)}\n\n${appTable}`;
  console.log(`\n${tables}\n\nwrote ${out}`);
  if (!quick && outIndex < 0) await updateDocs(report.date, report.machine, tables);
});
