// The Web Worker entry: the engine with the browser's onnxruntime-web (the CPU-only build for WASM, the native
// WebGPU EP build for WebGPU), fetch and model cache (OPFS), served over `self` by the handler, plus the backtest
// baselines (augurs WASM, compiled while the model loads). All logic lives in engine.ts, handler.ts and src/eval;
// this file only wires them together.
// NOTE: the CPU-only build (14 MB of WASM) instead of the JSEP one (28 MB): WebGPU runs on the native EP build,
// so JSEP's JS kernels were dead weight that every cold start downloaded and compiled.
import * as ort from 'onnxruntime-web/wasm';
import etsWasm from '../../node_modules/@bsull/augurs/ets_bg.wasm?url';
import mstlWasm from '../../node_modules/@bsull/augurs/mstl_bg.wasm?url';
import seasonsWasm from '../../node_modules/@bsull/augurs/seasons_bg.wasm?url';
import { initAugurs } from '../eval/augurs';
import { computeBaselines } from '../eval/worker-baselines';
import { openBrowserModelCache } from '../hub/cache';
import { configureOrtEnv } from '../runtime/backend';
import { loadWebGpuOrt } from '../runtime/webgpu-runtime';
import { prepareWasmRuntime } from '../runtime/wasm-runtime-init';
import { holdLifeline } from './lifeline';
import { Engine } from './engine';
import { Handler } from './handler';

// NOTE: the DOM lib types `self` as a Window; in this file it is a DedicatedWorkerGlobalScope.
const scope = self as unknown as DedicatedWorkerGlobalScope;
// WASM threads: half the cores (onnxruntime-web's own default), at most 4, so that on a 2-core laptop one core
// stays with the page, which draws the chart while the model runs (docs/benchmarks.md, the first forecast's long
// tasks). The library's default (all cores, at most 4) suits a page that only computes.
const cores = scope.navigator.hardwareConcurrency || 1;
configureOrtEnv(ort, { runtime: 'wasm', maxThreads: Math.max(1, Math.min(4, Math.ceil(cores / 2))) });
// Where WASM is the only choice, its runtime starts now, while the app reads its model list and the model downloads.
void prepareWasmRuntime(ort, 'auto');
let augurs: Promise<void> | null = null;
/** Loads augurs once (again after a failure). */
function loadAugurs(): Promise<void> {
  augurs ??= initAugurs({ ets: etsWasm, mstl: mstlWasm, seasons: seasonsWasm }).catch((e: unknown) => {
    augurs = null;
    throw e;
  });
  return augurs;
}
// The baselines' WASM (0.8 MB) is compiled now, while the model downloads, not with the first backtest: V8 compiles
// it on background threads, which on a 2-core machine took the CPU from the page while its first forecast drew.
void loadAugurs().catch(() => undefined);
const handler = new Handler(
  new Engine({
    ort,
    webgpuOrt: loadWebGpuOrt,
    prepareRuntime: (preference) => prepareWasmRuntime(ort, preference),
    fetch: scope.fetch.bind(scope),
    modelCache: openBrowserModelCache(),
  }),
  scope,
  async (request, signal) => {
    await loadAugurs();
    return computeBaselines(request, signal);
  },
);
scope.addEventListener('message', (event) => handler.onMessage(event.data));
// Lets the client notice at once when this worker ends without an error event (terminated, killed).
holdLifeline(scope, scope.navigator.locks);
