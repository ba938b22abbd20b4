// The WebGPU benchmark suite for a GPU machine that has a browser but no Node.js: the bench page runs it
// on its own when opened as `bench.html?suite=gpu` (scripts/device/webgpu-bench.sh), generates the
// seeded random checkpoints and converts them inside the page, checks parity of the golden cases on the
// real adapter, measures forward calls and matmul ceilings, and posts progress and the report to the
// serving script (`/__log`, `/__result`). `npm run bench -- --gpu-report FILE` turns the report into the
// WebGPU section of docs/benchmarks.md.
import type * as OrtWeb from 'onnxruntime-web';
import { convertCheckpoint } from '../model/convert';
import { parseChronos2Config, type Chronos2Config } from '../model/config';
import { GRAPH_IO } from '../model/onnx/chronos2';
import { PRESETS } from '../model/presets';
import { makeChronos2ConfigJson, randomChronos2Tensors, writeSafetensors } from '../model/random-checkpoint';
import { fetchConvertedModel } from '../chronos2';
import { createRunner, sessionOptionsFor } from '../runtime/backend';
import { modelInfoFromConfig } from '../runtime/ort-runner';
import { runGoldenCase, type GoldenCase } from '../parity/golden-case';
import { BROWSER_PARITY_CASES, BROWSER_PARITY_TOLERANCE } from '../parity/browser-cases';
import type { CallShape } from './flops';
import { matmulModel } from './matmul-model';
import { GraphBuilder } from '../model/onnx/graph-builder';
import { DataType } from '../model/onnx/proto';
import { measureForward, measureLatency, measureMatmul, syntheticCallInput, type ForwardMeasurement, type MatmulMeasurement } from './measure';



/** Adapter facts the report records. */
export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  features: string[];
}

/** One model × graph measured on the adapter. */
export interface GpuModelRun {
  model: string;
  /** fused-broadcast: the fused graph with attention biases broadcast over heads (not expanded to [A, H, L, L]). */
  graph: GraphVariant;
  /** Outputs left in GPU buffers (never read back), to measure what IO binding could save. */
  outputsOnGpu?: boolean;
  parameterCount: number;
  onnxBytes: number;
  convertMs: number;
  sessionMs: number;
  results: ForwardMeasurement[];
  error?: string;
}

/** Graph variants the suite can generate. */
export type GraphVariant = 'fused' | 'plain' | 'fused-broadcast';

/** What the suite posts to `/__result`. */
export interface GpuSuiteReport {
  date: string;
  /** onnxruntime-web build: 'jsep' (JS kernels, the app's) or 'native' (ORT's WebGPU execution provider). */
  ep?: 'jsep' | 'native';
  userAgent: string;
  adapter: AdapterReport | null;
  parity: Array<{ name: string; worst: number; passed: boolean }>;
  matmul: MatmulMeasurement[];
  runs: GpuModelRun[];
  error?: string;
}

/** Standard shapes (as the CPU benchmark) plus larger batches, where a GPU reaches its throughput. */
const STANDARD: CallShape[] = [1, 32].flatMap((batch) => [512, 2048].map((contextLength) => ({ batch, contextLength, horizon: 64 })));
const LARGE: CallShape[] = [128, 256].map((batch) => ({ batch, contextLength: 512, horizon: 64 }));
const MATMULS_QUICK: Array<[number, number, number]> = [[256, 768, 3072]];
const MATMULS: Array<[number, number, number]> = [
  [1024, 768, 3072],
  [8192, 768, 3072],
];

/** Reads the adapter a WebGPU session would get, or null when there is none. */
export async function describeAdapter(): Promise<AdapterReport | null> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  const adapter = await gpu?.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return null;
  const info = adapter.info;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    features: [...adapter.features].sort(),
  };
}

/** True for software adapters (SwiftShader, llvmpipe), whose timings say nothing about a GPU. */
export function isSoftwareAdapter(adapter: AdapterReport): boolean {
  return adapter.isFallbackAdapter || /swiftshader|llvmpipe|software/i.test(`${adapter.vendor} ${adapter.architecture} ${adapter.description}`);
}

/** Posts one progress line to the serving script (and the console). */
async function log(line: string): Promise<void> {
  console.log(line);
  await fetch('/__log', { method: 'POST', body: line }).catch(() => undefined);
}

/** Seeded random checkpoint of `preset`, converted in this page. */
async function generatedModel(preset: string, graph: GraphVariant): Promise<{ onnx: Uint8Array; config: ReturnType<typeof parseChronos2Config>; parameterCount: number; convertMs: number }> {
  const t0 = performance.now();
  const configJson = makeChronos2ConfigJson(PRESETS[preset]);
  const config = parseChronos2Config(configJson);
  const safetensors = writeSafetensors(randomChronos2Tensors(config, 0));
  const converted = await convertCheckpoint({ configText: JSON.stringify(configJson), safetensors }, {
    name: preset,
    fused: graph !== 'plain',
    broadcastAttentionBias: graph === 'fused-broadcast',
  });
  return { onnx: converted.onnx, config: converted.config, parameterCount: converted.manifest.parameterCount, convertMs: performance.now() - t0 };
}

/** Forward calls on a session whose outputs stay in GPU buffers (disposed unread). */
async function measureGpuResident(ort: typeof OrtWeb, onnx: Uint8Array, config: Chronos2Config, shape: CallShape): Promise<ForwardMeasurement> {
  const session = await ort.InferenceSession.create(onnx, { ...sessionOptionsFor('webgpu'), preferredOutputLocation: 'gpu-buffer' });
  try {
    const input = syntheticCallInput(config.patchSize, shape);
    const feeds = {
      [GRAPH_IO.context]: new ort.Tensor('float32', input.context, [shape.batch, shape.contextLength]),
      [GRAPH_IO.groupIds]: new ort.Tensor('int64', input.groupIds, [shape.batch]),
      [GRAPH_IO.futureCovariates]: new ort.Tensor('float32', input.futureCovariates, [shape.batch, input.futureCovariates.length / shape.batch]),
    };
    const runner = {
      info: modelInfoFromConfig(config),
      async run() {
        const out = await session.run(feeds);
        for (const t of Object.values(out)) t.dispose();
        return { quantilePreds: new Float32Array(0), loc: new Float32Array(0), scale: new Float32Array(0) };
      },
    };
    return await measureForward(runner, config, shape);
  } finally {
    await session.release();
  }
}

async function measureModel(ort: typeof OrtWeb, preset: string, graph: GraphVariant, shapes: CallShape[], outputsOnGpu = false): Promise<GpuModelRun> {
  const run: GpuModelRun = { model: preset, graph, ...(outputsOnGpu ? { outputsOnGpu } : {}), parameterCount: 0, onnxBytes: 0, convertMs: 0, sessionMs: 0, results: [] };
  try {
    const model = await generatedModel(preset, graph);
    Object.assign(run, { parameterCount: model.parameterCount, onnxBytes: model.onnx.byteLength, convertMs: model.convertMs });
    await log(`${preset} ${graph}: ${(model.parameterCount / 1e6).toFixed(1)}M parameters converted in ${model.convertMs.toFixed(0)} ms`);
    if (outputsOnGpu) {
      for (const shape of shapes) {
        const m = await measureGpuResident(ort, model.onnx, model.config, shape);
        run.results.push(m);
        await log(`  outputs on GPU, B=${shape.batch} T=${shape.contextLength}: ${m.seriesPerSecond.toFixed(1)} series/s, p50 ${m.latency.p50.toFixed(1)} ms`);
      }
      return run;
    }
    const t0 = performance.now();
    const { runner } = await createRunner(ort, model.onnx, modelInfoFromConfig(model.config), 'webgpu');
    run.sessionMs = performance.now() - t0;
    try {
      for (const shape of shapes) {
        const m = await measureForward(runner, model.config, shape);
        run.results.push(m);
        await log(`  B=${shape.batch} T=${shape.contextLength}: ${m.seriesPerSecond.toFixed(1)} series/s, p50 ${m.latency.p50.toFixed(1)} ms, ${m.gflops.toFixed(0)} GFLOP/s`);
      }
    } finally {
      await runner.dispose();
    }
  } catch (e) {
    run.error = (e as Error).message;
    await log(`${preset} ${graph} failed: ${run.error}`);
  }
  return run;
}

/** Golden cases on the adapter with random-small: the bundled conversion, or one made in the page with the bias broadcast. */
async function checkParity(ort: typeof OrtWeb, broadcastAttentionBias = false): Promise<GpuSuiteReport['parity']> {
  let model: { onnx: Uint8Array; config: Chronos2Config };
  if (broadcastAttentionBias) {
    const base = '/fixtures/models/random-small/';
    const [configText, weights] = await Promise.all([fetch(`${base}config.json`).then((r) => r.text()), fetch(`${base}model.safetensors`).then((r) => r.arrayBuffer())]);
    const converted = await convertCheckpoint({ configText, safetensors: new Uint8Array(weights) }, { name: 'random-small', broadcastAttentionBias });
    model = { onnx: converted.onnx, config: converted.config };
  } else {
    const { onnx, manifest } = await fetchConvertedModel('/models/random-small/');
    model = { onnx, config: manifest.config };
  }
  const { runner } = await createRunner(ort, model.onnx, modelInfoFromConfig(model.config), 'webgpu');
  const out: GpuSuiteReport['parity'] = [];
  try {
    for (const name of BROWSER_PARITY_CASES) {
      const response = await fetch(`/fixtures/cases/${name}.json`);
      if (!response.ok) throw new Error(`/fixtures/cases/${name}.json: HTTP ${response.status}`);
      const result = await runGoldenCase(runner, name, (await response.json()) as GoldenCase, BROWSER_PARITY_TOLERANCE.webgpu);
      out.push({ name, worst: result.worst, passed: result.passed });
      await log(`parity ${name}: worst ${result.worst.toExponential(2)} ${result.passed ? 'ok' : 'FAILED'}`);
    }
  } finally {
    await runner.dispose();
  }
  return out;
}

/** Runs the whole suite and posts the report; `probeOnly` stops after describing the adapter. */
export async function runGpuSuite(ort: typeof OrtWeb, options: { probeOnly?: boolean } = {}): Promise<GpuSuiteReport> {
  const query = new URLSearchParams(location.search);
  const lite = query.has('lite');
  const quick = query.has('quick');
  const report: GpuSuiteReport = { date: new Date().toISOString(), ep: query.get('ep') === 'native' ? 'native' : 'jsep', userAgent: navigator.userAgent, adapter: null, parity: [], matmul: [], runs: [] };
  try {
    report.adapter = await describeAdapter();
    await log(`adapter: ${JSON.stringify(report.adapter)}`);
    if (!report.adapter) throw new Error('no WebGPU adapter');
    if (isSoftwareAdapter(report.adapter) && !options.probeOnly && !location.search.includes('allowSoftware')) {
      throw new Error(`software adapter only (${report.adapter.vendor} ${report.adapter.description})`);
    }
    if (!options.probeOnly && query.has('bias')) {
      // Attention biases broadcast over heads vs expanded, same run: parity, then speed where the masks are large.
      report.parity = await checkParity(ort, true);
      const shapes: CallShape[] = quick ? [STANDARD[0]] : [32, 256, 512].map((batch) => ({ batch, contextLength: 512, horizon: 64 }));
      for (const graph of ['fused', 'fused-broadcast'] as const) report.runs.push(await measureModel(ort, quick ? 'chronos-2-small' : 'chronos-2', graph, shapes));
    } else if (!options.probeOnly) {
      if (!lite) report.parity = await checkParity(ort);
      for (const [m, k, n] of quick ? MATMULS_QUICK : lite ? [] : MATMULS) {
        const session = await ort.InferenceSession.create(matmulModel(k, n), sessionOptionsFor('webgpu'));
        const x = new ort.Tensor('float32', new Float32Array(m * k).fill(0.5), [m, k]);
        const mm = await measureMatmul(() => session.run({ x }), m, k, n);
        await session.release();
        report.matmul.push(mm);
        await log(`matmul ${m}x${k}x${n}: ${mm.gflops.toFixed(0)} GFLOP/s (p50 ${mm.latency.p50.toFixed(2)} ms)`);
      }
      const presets = quick ? ['chronos-2-small'] : ['chronos-2', 'chronos-2-small'];
      for (const preset of presets) report.runs.push(await measureModel(ort, preset, 'fused', quick ? STANDARD.slice(0, 2) : lite ? [...STANDARD, LARGE[1]] : [...STANDARD, ...LARGE]));
      if (!lite) {
        // Before/after of the fused graph on a real GPU, same run.
        const plainShapes: CallShape[] = quick ? [STANDARD[0]] : [{ batch: 32, contextLength: 512, horizon: 64 }, LARGE[1]];
        report.runs.push(await measureModel(ort, quick ? 'chronos-2-small' : 'chronos-2', 'plain', plainShapes));
        // What IO binding could save: the same calls with the outputs left on the GPU.
        report.runs.push(await measureModel(ort, quick ? 'chronos-2-small' : 'chronos-2', 'fused', plainShapes, true));
      }
    }
  } catch (e) {
    report.error = (e as Error).message;
    await log(`suite stopped: ${report.error}`);
  }
  await fetch('/__result', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(report) }).catch(() => undefined);
  return report;
}

/** Aggregated GPU kernel time of one profiled forward call. */
export interface KernelProfile {
  model: string;
  graph: 'fused' | 'plain';
  batch: number;
  contextLength: number;
  /** Wall-clock time of the profiled call, ms. */
  wallMs: number;
  /** Sum of GPU kernel durations, ms. */
  gpuMs: number;
  kernels: number;
  /** Per kernel type: GPU ms and dispatch count, largest first. */
  byType: Array<{ type: string; ms: number; count: number }>;
}

/** What the `ceiling` and `profile` suites post. */
export interface GpuDiagnostics {
  date: string;
  adapter: AdapterReport | null;
  /** Round trip of a one-node graph ([1,16] Add), ms: the per-call floor of onnxruntime-web on WebGPU here. */
  floorMs?: number;
  /** Chained MatMuls with the result left on the GPU: the practical matmul ceiling. */
  matmulChain?: MatmulMeasurement & { chain: number };
  forward: ForwardMeasurement[];
  profiles: KernelProfile[];
  error?: string;
}

/** ONNX bytes of a one-node graph y = x + 1 on [1, 16]. */
function addOneModel(): Uint8Array {
  const g = new GraphBuilder('floor');
  const x = g.input('x', DataType.FLOAT, [1, 16]);
  const one = g.weight('one', [1], () => new Float32Array([1]));
  g.output('y', g.node('Add', [x, one]), DataType.FLOAT, [1, 16]);
  return g.toModelBytes({ opset: 17, producer: 'chronos-web-bench' });
}

/**
 * ONNX bytes of `chain` pairs X·W1[k,n]·W2[n,k] (the model's MLP shapes), X: [m, k], summed to one number so
 * that reading the output waits for the GPU without timing a large download.
 */
function matmulChainModel(k: number, n: number, chain: number): Uint8Array {
  const g = new GraphBuilder('matmul-chain');
  let h = g.input('x', DataType.FLOAT, ['m', k]);
  const fill = (size: number, seed: number) => () => {
    const data = new Float32Array(size);
    let s = seed;
    for (let i = 0; i < data.length; i++) data[i] = ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * 0.05;
    return data;
  };
  for (let i = 0; i < chain; i++) {
    h = g.node('MatMul', [h, g.weight(`w${i}a`, [k, n], fill(k * n, 2 * i + 1))]);
    h = g.node('MatMul', [h, g.weight(`w${i}b`, [n, k], fill(k * n, 2 * i + 2))]);
  }
  g.output('y', g.node('ReduceSum', [h], { keepdims: 0 }), DataType.FLOAT, []);
  return g.toModelBytes({ opset: 17, producer: 'chronos-web-bench' });
}

async function profileForward(ort: typeof OrtWeb, sink: { records: Array<{ type: string; ns: number }> }, preset: string, graph: 'fused' | 'plain', shapes: CallShape[]): Promise<KernelProfile[]> {
  const model = await generatedModel(preset, graph);
  const { runner } = await createRunner(ort, model.onnx, modelInfoFromConfig(model.config), 'webgpu');
  const out: KernelProfile[] = [];
  try {
    for (const shape of shapes) {
      const input = syntheticCallInput(model.config.patchSize, shape);
      await runner.run(input);
      await new Promise((r) => setTimeout(r, 300));
      sink.records.length = 0;
      const t0 = performance.now();
      await runner.run(input);
      const wallMs = performance.now() - t0;
      await new Promise((r) => setTimeout(r, 500)); // timestamps arrive after the run
      const byType = new Map<string, { ms: number; count: number }>();
      for (const r of sink.records) {
        const e = byType.get(r.type) ?? { ms: 0, count: 0 };
        e.ms += r.ns / 1e6;
        e.count += 1;
        byType.set(r.type, e);
      }
      const rows = [...byType].map(([type, e]) => ({ type, ...e })).sort((a, b) => b.ms - a.ms);
      const profile = { model: preset, graph, batch: shape.batch, contextLength: shape.contextLength, wallMs, gpuMs: rows.reduce((a, b) => a + b.ms, 0), kernels: sink.records.length, byType: rows };
      out.push(profile);
      await log(`profile ${preset} ${graph} B=${shape.batch}: wall ${wallMs.toFixed(1)} ms, GPU ${profile.gpuMs.toFixed(1)} ms in ${profile.kernels} kernels; ${rows.slice(0, 6).map((r) => `${r.type} ${r.ms.toFixed(1)}`).join(', ')}`);
    }
  } finally {
    await runner.dispose();
  }
  return out;
}

/**
 * Diagnostics beyond the main suite. `ceiling`: the per-call floor, a matmul ceiling that is not bound by
 * transfers, and larger batches. `profile`: GPU time per kernel type of single forward calls (ORT's WebGPU
 * profiling, which must be on before the first session, hence its own page).
 */
export async function runGpuDiagnostics(ort: typeof OrtWeb, kind: 'ceiling' | 'profile'): Promise<GpuDiagnostics> {
  const report: GpuDiagnostics = { date: new Date().toISOString(), adapter: null, forward: [], profiles: [] };
  const sink = { records: [] as Array<{ type: string; ns: number }> };
  try {
    if (kind === 'profile') {
      ort.env.webgpu.profiling = { mode: 'default', ondata: (d) => void sink.records.push({ type: d.kernelType, ns: d.endTime - d.startTime }) };
    }
    report.adapter = await describeAdapter();
    if (!report.adapter) throw new Error('no WebGPU adapter');
    if (isSoftwareAdapter(report.adapter) && !location.search.includes('allowSoftware')) throw new Error('software adapter only');
    const quick = location.search.includes('quick');
    if (kind === 'ceiling') {
      const floor = await ort.InferenceSession.create(addOneModel(), sessionOptionsFor('webgpu'));
      const x = new ort.Tensor('float32', new Float32Array(16), [1, 16]);
      const floorLatency = await measureLatency(() => floor.run({ x }));
      await floor.release();
      report.floorMs = floorLatency.p50;
      await log(`floor (one Add): p50 ${floorLatency.p50.toFixed(2)} ms, p95 ${floorLatency.p95.toFixed(2)} ms`);
      const [m, k, n, chain] = quick ? [256, 768, 3072, 2] : [8192, 768, 3072, 8];
      const session = await ort.InferenceSession.create(matmulChainModel(k, n, chain), sessionOptionsFor('webgpu'));
      const input = new ort.Tensor('float32', new Float32Array(m * k).fill(0.5), [m, k]);
      const mm = await measureMatmul(() => session.run({ x: input }), m, k, n);
      await session.release();
      const gflops = (mm.gflops * 2 * chain) as number;
      report.matmulChain = { ...mm, gflops, chain };
      await log(`matmul chain ${chain}×(${m}x${k}x${n} + ${m}x${n}x${k}): p50 ${mm.latency.p50.toFixed(2)} ms, ${gflops.toFixed(0)} GFLOP/s`);
      const shapes: CallShape[] = quick ? [{ batch: 2, contextLength: 512, horizon: 64 }] : [512, 1024].map((batch) => ({ batch, contextLength: 512, horizon: 64 }));
      for (const graph of ['fused', 'plain'] as const) {
        const run = await measureModel(ort, quick ? 'chronos-2-small' : 'chronos-2', graph, shapes);
        report.forward.push(...run.results.map((r) => ({ ...r, graph }) as ForwardMeasurement & { graph: string }));
      }
    } else {
      const preset = quick ? 'chronos-2-small' : 'chronos-2';
      const shapes: CallShape[] = quick ? [{ batch: 1, contextLength: 512, horizon: 64 }] : [1, 32, 256].map((batch) => ({ batch, contextLength: 512, horizon: 64 }));
      report.profiles.push(...(await profileForward(ort, sink, preset, 'fused', shapes)));
      report.profiles.push(...(await profileForward(ort, sink, preset, 'plain', shapes.slice(-1))));
    }
  } catch (e) {
    report.error = (e as Error).message;
    await log(`${kind} stopped: ${report.error}`);
  }
  await fetch('/__result', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(report) }).catch(() => undefined);
  return report;
}
