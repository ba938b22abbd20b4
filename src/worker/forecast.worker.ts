// The Web Worker entry: the engine with the browser's onnxruntime-web (the CPU-only build for WASM, the native
// WebGPU EP build for WebGPU), fetch and model cache (OPFS), served over `self` by the handler, plus the backtest
// baselines (augurs WASM, loaded on first use). All logic lives in engine.ts, handler.ts and src/eval; this file
// only wires them together.
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
configureOrtEnv(ort, { runtime: 'wasm' });
// Where WASM is the only choice, its runtime starts now, while the app reads its model list and the model downloads.
void prepareWasmRuntime(ort, 'auto');
let augurs: Promise<void> | null = null;
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
    augurs ??= initAugurs({ ets: etsWasm, mstl: mstlWasm, seasons: seasonsWasm }).catch((e: unknown) => {
      augurs = null;
      throw e;
    });
    await augurs;
    return computeBaselines(request, signal);
  },
);
scope.addEventListener('message', (event) => handler.onMessage(event.data));
// Lets the client notice at once when this worker ends without an error event (terminated, killed).
holdLifeline(scope, scope.navigator.locks);
