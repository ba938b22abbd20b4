// The one module that chooses onnxruntime-web execution providers and sets `ort.env` before the first
// session: WebGPU where a real adapter works (checked with a warm-up run), WASM otherwise, with the
// choice and the reason reported. Works in a window or a worker; no DOM access.
import type * as OrtWeb from 'onnxruntime-web';
import { OrtModelRunner } from './ort-runner';
import type { ModelInfo } from '../forecast/model-runner';
import type { WeightStorage } from '../model/onnx/fp16';

/** What the user asked for. */
export type BackendPreference = 'auto' | 'webgpu' | 'wasm';
/** What actually runs. */
export type BackendKind = 'webgpu' | 'wasm';

/** The outcome of backend selection, shown in the UI's status bar. */
export interface BackendChoice {
  backend: BackendKind;
  /** Why this backend (e.g. "WebGPU adapter: nvidia / ampere" or "no WebGPU adapter"). */
  reason: string;
  /** WASM threads (1 when the page is not cross-origin isolated). */
  threads: number;
  /** WebGPU adapter description, when WebGPU is used. */
  adapter?: string;
}

/** WebGPU could not be used although it was explicitly requested. */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
}

/** Options of {@link configureOrtEnv}. */
export interface OrtEnvOptions {
  /**
   * URL prefix of the ORT runtime files (default `/ort/`). `null`: leave onnxruntime-web's own default (its files
   * next to its module, which bundlers such as Vite copy into the build).
   */
  wasmPrefix?: string | null;
  /** Upper bound for WASM threads (default 4). */
  maxThreads?: number;
  /**
   * Which ORT build `ort` is: 'jsep' (the default `onnxruntime-web` import: WebGPU through JS kernels),
   * 'webgpu-ep' (`onnxruntime-web/webgpu`: ORT's native WebGPU execution provider, asyncify build) or 'wasm'
   * (`onnxruntime-web/wasm`: CPU only, half the size of the JSEP build, so it downloads and compiles faster).
   */
  runtime?: OrtRuntime;
}

/** The onnxruntime-web builds this project can load. */
export type OrtRuntime = 'jsep' | 'webgpu-ep' | 'wasm';

/** The file name (without `.wasm` / `.mjs`) of an onnxruntime-web build's runtime files. */
export function ortRuntimeFileStem(runtime: OrtRuntime): string {
  return { jsep: 'ort-wasm-simd-threaded.jsep', 'webgpu-ep': 'ort-wasm-simd-threaded.asyncify', wasm: 'ort-wasm-simd-threaded' }[runtime];
}

/** Modules whose `env` {@link configureOrtEnv} has set (each onnxruntime-web build has its own env). */
const configured = new WeakSet<object>();

/** Loads an onnxruntime-web build on first use (such as the native WebGPU EP build, see webgpu-runtime.ts). */
export type OrtLoader = () => Promise<typeof OrtWeb>;

/** Options of {@link createRunner}. */
export interface CreateRunnerOptions {
  /**
   * The onnxruntime-web build for WebGPU sessions, loaded only when WebGPU is used. Default: `ort` itself. The
   * app passes ORT's native WebGPU execution provider here (faster on a real GPU, docs/benchmarks.md) and keeps
   * the JSEP build for WASM, whose CPU kernels run faster there than in the native-EP (asyncify) build.
   */
  webgpuOrt?: OrtLoader;
  /** How the model stores its weights (its manifest's `weights`); picks the WASM optimisation level. */
  weights?: WeightStorage;
}

/** Number of WASM threads this context can use: 1 unless cross-origin isolated. */
export function wasmThreadCount(maxThreads = 4): number {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const cores = (globalThis.navigator as Navigator | undefined)?.hardwareConcurrency ?? 1;
  return isolated ? Math.max(1, Math.min(maxThreads, cores)) : 1;
}

/** Sets `ort.env` once (paths of the runtime files, threads, SIMD). */
export function configureOrtEnv(ort: typeof OrtWeb, options: OrtEnvOptions = {}): void {
  if (configured.has(ort.env)) return;
  const here = (globalThis as { location?: { href: string } }).location?.href;
  // In Node (no location) onnxruntime-web finds its files next to its own module.
  if (here && options.wasmPrefix !== null) {
    const base = new URL(options.wasmPrefix ?? '/ort/', here).href;
    const file = `${base}${ortRuntimeFileStem(options.runtime ?? 'jsep')}`;
    ort.env.wasm.wasmPaths = { wasm: `${file}.wasm`, mjs: `${file}.mjs` };
  }
  ort.env.wasm.numThreads = wasmThreadCount(options.maxThreads);
  ort.env.wasm.simd = true;
  ort.env.logLevel = 'error';
  configured.add(ort.env);
}

/** Describes the WebGPU adapter, or explains why there is none. */
export async function probeWebGpu(): Promise<{ ok: true; adapter: string } | { ok: false; reason: string }> {
  const gpu = (globalThis.navigator as (Navigator & { gpu?: GPU }) | undefined)?.gpu;
  if (!gpu) return { ok: false, reason: 'this browser has no WebGPU (navigator.gpu is missing)' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { ok: false, reason: 'no WebGPU adapter is available' };
    const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
    const text = info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' / ') : '';
    return { ok: true, adapter: text || 'unknown adapter' };
  } catch (e) {
    return { ok: false, reason: `requesting a WebGPU adapter failed: ${(e as Error).message}` };
  }
}

/**
 * Session options for a backend, given how the model stores its weights (undefined: not known).
 * NOTE: the converter already emits fused kernels, so on WASM the 'all' level only costs session time
 * (120M model: 2.2 s vs 0.76 s with 'basic') for no measurable run-time gain (docs/benchmarks.md). With float32
 * weights even 'basic' finds nothing that matters (it folds 8 of the demo model's 247 nodes, all shape arithmetic)
 * and costs 60–160 ms of a cold start in Chromium, so those graphs are not optimised at all. Float16 weights are
 * kept at 'basic': their Cast to float32 is folded into the initializers when the session starts, not run per call.
 */
export function sessionOptionsFor(backend: BackendKind, weights?: WeightStorage): OrtWeb.InferenceSession.SessionOptions {
  return {
    executionProviders: [backend],
    graphOptimizationLevel: backend === 'webgpu' ? 'all' : weights === 'float32' ? 'disabled' : 'basic',
  };
}

/** One small forward call so that WebGPU shaders are compiled and failures surface before real work. */
export async function warmUp(runner: OrtModelRunner): Promise<void> {
  const P = runner.info.patchSize;
  const T = P * 2;
  const context = new Float32Array(T);
  for (let i = 0; i < T; i++) context[i] = Math.sin(i / 3);
  const out = await runner.run({
    batchSize: 1,
    contextLength: T,
    context,
    groupIds: new BigInt64Array(1),
    numOutputPatches: 1,
    futureCovariates: new Float32Array(P).fill(NaN),
  });
  if (!out.quantilePreds.every(Number.isFinite)) throw new Error('warm-up forecast produced non-finite values');
}

/** Creates a runner on the preferred backend, falling back from WebGPU to WASM under `auto`. */
export async function createRunner(
  ort: typeof OrtWeb,
  onnx: Uint8Array,
  info: ModelInfo,
  preference: BackendPreference,
  options: CreateRunnerOptions = {},
): Promise<{ runner: OrtModelRunner; choice: BackendChoice; ort: typeof OrtWeb }> {
  configureOrtEnv(ort);
  const threads = ort.env.wasm.numThreads ?? 1;
  const wasm = async (reason: string) => {
    const runner = await OrtModelRunner.create(ort, onnx, info, sessionOptionsFor('wasm', options.weights));
    return { runner, choice: { backend: 'wasm' as const, reason, threads }, ort };
  };
  if (preference === 'wasm') return wasm('WASM selected');
  const probe = await probeWebGpu();
  if (!probe.ok) {
    if (preference === 'webgpu') throw new BackendUnavailableError(`WebGPU was requested but ${probe.reason}`);
    return wasm(`WebGPU unavailable: ${probe.reason}`);
  }
  try {
    const gpuOrt = options.webgpuOrt ? await options.webgpuOrt() : ort;
    const runner = await OrtModelRunner.create(gpuOrt, onnx, info, sessionOptionsFor('webgpu'));
    try {
      await warmUp(runner);
    } catch (e) {
      await runner.dispose().catch(() => undefined);
      throw e;
    }
    return { runner, choice: { backend: 'webgpu', reason: `WebGPU adapter: ${probe.adapter}`, threads, adapter: probe.adapter }, ort: gpuOrt };
  } catch (e) {
    if (preference === 'webgpu') throw new BackendUnavailableError(`WebGPU failed: ${(e as Error).message}`);
    return wasm(`WebGPU failed (${(e as Error).message}); using WASM`);
  }
}
