// The early start of onnxruntime-web's WASM runtime (src/runtime/wasm-runtime-init.ts) on the real runtime:
// it creates one session of its one-node graph per ORT module and never again, starts nothing for a WebGPU
// load, and never rejects.
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { initWasmRuntime, prepareWasmRuntime } from '../../src/runtime/wasm-runtime-init';

/** The real ORT module with its session creations counted. */
function counted(): { ort: typeof ort; created: () => number } {
  let created = 0;
  const InferenceSession = {
    create: async (...args: Parameters<typeof ort.InferenceSession.create>) => {
      created += 1;
      return ort.InferenceSession.create(...args);
    },
  };
  // A fresh `env` object: the runtime is started once per module (by its env).
  const module = { ...ort, env: { ...ort.env }, InferenceSession } as unknown as typeof ort;
  return { ort: module, created: () => created };
}

describe('initWasmRuntime', () => {
  it('creates and releases one session of its one-node graph, once per ORT module', async () => {
    const m = counted();
    const first = initWasmRuntime(m.ort);
    expect(initWasmRuntime(m.ort)).toBe(first);
    await expect(first).resolves.toBeUndefined();
    await prepareWasmRuntime(m.ort, 'wasm');
    expect(m.created()).toBe(1);
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
