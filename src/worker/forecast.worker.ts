// The Web Worker entry: the engine with the browser's onnxruntime-web (the JSEP build for WASM, the native WebGPU
// EP build for WebGPU), fetch and model cache (OPFS), served over `self` by the handler, plus the backtest
// baselines (augurs WASM, loaded on first use). All logic lives in engine.ts, handler.ts and src/eval; this file
// only wires them together.
import * as ort from 'onnxruntime-web';
import etsWasm from '../../node_modules/@bsull/augurs/ets_bg.wasm?url';
import mstlWasm from '../../node_modules/@bsull/augurs/mstl_bg.wasm?url';
import seasonsWasm from '../../node_modules/@bsull/augurs/seasons_bg.wasm?url';
import { initAugurs } from '../eval/augurs';
import { computeBaselines } from '../eval/worker-baselines';
import { openBrowserModelCache } from '../hub/cache';
import { configureOrtEnv } from '../runtime/backend';
import { loadWebGpuOrt } from '../runtime/webgpu-runtime';
import { Engine } from './engine';
import { Handler } from './handler';

// NOTE: the DOM lib types `self` as a Window; in this file it is a DedicatedWorkerGlobalScope.
const scope = self as unknown as DedicatedWorkerGlobalScope;
configureOrtEnv(ort);
let augurs: Promise<void> | null = null;
const handler = new Handler(
  new Engine({ ort, webgpuOrt: loadWebGpuOrt, fetch: scope.fetch.bind(scope), modelCache: openBrowserModelCache() }),
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
