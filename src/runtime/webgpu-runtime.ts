// The onnxruntime-web build with ORT's native WebGPU execution provider (`onnxruntime-web/webgpu`, asyncify
// WASM), loaded only when a WebGPU session is created. On a real GPU it runs Chronos-2 up to 1.6× (120M) and
// 1.9× (28M) faster than the JSEP build's WebGPU kernels, with the same parity (docs/benchmarks.md, H200).
import type * as OrtWeb from 'onnxruntime-web';
import { configureOrtEnv, type OrtLoader } from './backend';

let loading: Promise<typeof OrtWeb> | null = null;

/** Loads (once) and configures the native WebGPU EP build. Browser only. */
export const loadWebGpuOrt: OrtLoader = () => {
  loading ??= import('onnxruntime-web/webgpu').then((ort) => {
    configureOrtEnv(ort, { runtime: 'webgpu-ep' });
    return ort;
  });
  // A failed load (offline before the build was ever cached, say) is retried by the next session.
  loading.catch(() => (loading = null));
  return loading;
};
