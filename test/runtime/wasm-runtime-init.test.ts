// The early start of onnxruntime-web's WASM runtime (src/runtime/wasm-runtime-init.ts) on the real runtime:
// it creates one session of its chain graph per ORT module and never again, runs the whole chain a few times (so
// that some of onnxruntime's per-node code is compiled, and recompiled by V8, while the model downloads), starts
// nothing for a WebGPU load, and never rejects.
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { initWasmRuntime, prepareWasmRuntime } from '../../src/runtime/wasm-runtime-init';

/** The real ORT module with its session creations counted and the outputs of their runs kept. */
function counted(): { ort: typeof ort; created: () => number; outputs: number[] } {
  let created = 0;
  const outputs: number[] = [];
  const InferenceSession = {
    create: async (...args: Parameters<typeof ort.InferenceSession.create>) => {
      created += 1;
      const session = await ort.InferenceSession.create(...args);
      const run = session.run.bind(session) as (feeds: ort.InferenceSession.FeedsType) => Promise<ort.InferenceSession.ReturnType>;
      return Object.assign(session, {
        run: async (feeds: ort.InferenceSession.FeedsType) => {
          const out = await run(feeds);
          outputs.push(Number(out.y.data[0]));
          return out;
        },
      });
    },
  };
  // A fresh `env` object: the runtime is started once per module (by its env).
  const module = { ...ort, env: { ...ort.env }, InferenceSession } as unknown as typeof ort;
  return { ort: module, created: () => created, outputs };
}

describe('initWasmRuntime', () => {
  it('creates one session of its 60-Add chain, runs it 8 times and releases it, once per ORT module', async () => {
    const m = counted();
    const first = initWasmRuntime(m.ort);
    expect(initWasmRuntime(m.ort)).toBe(first);
    await expect(first).resolves.toBeUndefined();
    await prepareWasmRuntime(m.ort, 'wasm');
    expect(m.created()).toBe(1);
    // x = 1 doubled by each of the 60 Adds: every node ran (2^60 is exact in float32).
    expect(m.outputs).toEqual(Array(8).fill(2 ** 60));
  });

  it('starts nothing for a WebGPU load, and starts the runtime for auto where there is no WebGPU (Node)', async () => {
    const m = counted();
    await prepareWasmRuntime(m.ort, 'webgpu');
    expect(m.created()).toBe(0);
    await prepareWasmRuntime(m.ort, 'auto');
    expect(m.created()).toBe(1);
  });

  it('resolves (does not reject) when the runtime cannot start', async () => {
    const broken = { ...ort, env: { ...ort.env }, InferenceSession: { create: () => Promise.reject(new Error('no wasm')) } } as unknown as typeof ort;
    await expect(initWasmRuntime(broken)).resolves.toBeUndefined();
  });
});
