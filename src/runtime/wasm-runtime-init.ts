// Starts onnxruntime-web's WASM runtime before the model is there. The runtime is set up by the first session a
// module creates (fetching and compiling ~14 MB of WebAssembly, starting its threads: about half a second on a
// 2-core laptop), so creating and releasing a small session while the model downloads takes that time off the cold
// start instead of adding it after the download.
// The session is a chain of Adds, run a few times, not a single node: V8 first compiles WebAssembly with its
// baseline compiler and recompiles a function with TurboFan, on background threads, once it has done enough work;
// on a 2-core laptop those jobs take cores the page needs to draw the first forecast. The chain's session and runs
// bring some of onnxruntime's per-node code to that point while the model downloads (Chromium traces, 4 rounds
// each: 168–220 ms of TurboFan jobs started after the first click, against 170–269 ms with one node). The largest
// job, about half a second for onnxruntime's session-creation code, still starts with the model's own session: a
// 1000-node chain moved it earlier but cost the cold start 200 ms (docs/benchmarks.md). No DOM access.
import type * as OrtWeb from 'onnxruntime-web';
import { GraphBuilder } from '../model/onnx/graph-builder';
import { DataType } from '../model/onnx/proto';
import { probeWebGpu, type BackendPreference } from './backend';

/** Started initialisations, by the `env` of the onnxruntime-web module (each build has its own runtime). */
const started = new WeakMap<object, Promise<void>>();

/**
 * Nodes in the start-up graph and runs of it. In Node (onnxruntime-web, WASM) the first run took 15 ms (the
 * kernels' lazy compilation, which the model's first forecast would otherwise pay) and the others under 0.5 ms.
 * A longer chain costs the worker's thread session time during the download (1000 nodes: the first forecast
 * 200 ms later in Chromium).
 */
const CHAIN_NODES = 60;
const CHAIN_RUNS = 8;

/** ONNX bytes of x + x + … (CHAIN_NODES Adds) on one float. */
function chainModel(): Uint8Array {
  const g = new GraphBuilder('runtime-init');
  let value = g.input('x', DataType.FLOAT, [1]);
  for (let i = 0; i < CHAIN_NODES; i++) value = g.node('Add', [value, value]);
  g.output('y', value, DataType.FLOAT, [1]);
  return g.toModelBytes({ opset: 17, producer: 'chronos-web' });
}

/**
 * Sets up `ort`'s WASM runtime once (later calls return the same promise). Never rejects: a runtime that cannot
 * start fails again, with its own error, when the model's session is created.
 */
export function initWasmRuntime(ort: typeof OrtWeb): Promise<void> {
  let done = started.get(ort.env);
  if (!done) {
    done = (async () => {
      const session = await ort.InferenceSession.create(chainModel(), { executionProviders: ['wasm'], graphOptimizationLevel: 'disabled' });
      try {
        const feeds = { x: new ort.Tensor('float32', new Float32Array([1]), [1]) };
        for (let i = 0; i < CHAIN_RUNS; i++) await session.run(feeds);
      } finally {
        await session.release();
      }
    })().catch(() => undefined);
    started.set(ort.env, done);
  }
  return done;
}

/**
 * Starts the WASM runtime for a model load with this preference, when the load will (or may) run on WASM:
 * 'wasm', or 'auto' where no WebGPU adapter is to be had. Resolves when it is ready (or failed; see
 * {@link initWasmRuntime}), at once for 'webgpu'.
 */
export async function prepareWasmRuntime(ort: typeof OrtWeb, preference: BackendPreference): Promise<void> {
  if (preference === 'webgpu') return;
  if (preference === 'auto' && (await probeWebGpu()).ok) return;
  await initWasmRuntime(ort);
}
