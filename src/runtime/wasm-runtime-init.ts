// Starts onnxruntime-web's WASM runtime before the model is there. The runtime is set up by the first session a
// module creates (fetching and compiling ~14 MB of WebAssembly, starting its threads: about half a second on a
// 2-core laptop), so creating and releasing a session of a one-node graph while the model downloads takes that
// time off the cold start instead of adding it after the download. No DOM access.
import type * as OrtWeb from 'onnxruntime-web';
import { GraphBuilder } from '../model/onnx/graph-builder';
import { DataType } from '../model/onnx/proto';
import { probeWebGpu, type BackendPreference } from './backend';

/** Started initialisations, by the `env` of the onnxruntime-web module (each build has its own runtime). */
const started = new WeakMap<object, Promise<void>>();

/** ONNX bytes of y = Identity(x) on one float: the smallest graph that makes onnxruntime set up its runtime. */
function identityModel(): Uint8Array {
  const g = new GraphBuilder('runtime-init');
  const x = g.input('x', DataType.FLOAT, [1]);
  g.output('y', g.node('Identity', [x]), DataType.FLOAT, [1]);
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
      const session = await ort.InferenceSession.create(identityModel(), { executionProviders: ['wasm'], graphOptimizationLevel: 'disabled' });
      await session.release();
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
