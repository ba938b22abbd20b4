// The browser side of `npm run bench`: loads a converted model on a chosen backend and measures
// forward calls and the matmul ceiling with the same code as the Node benchmark.
import type * as OrtWeb from 'onnxruntime-web';
import { fetchConvertedModel } from '../chronos2';
import { configureOrtEnv, createRunner, sessionOptionsFor, type BackendChoice, type BackendKind } from '../runtime/backend';
import { modelInfoFromConfig } from '../runtime/ort-runner';
import type { CallShape } from './flops';
import { matmulModel } from './matmul-model';
import { describeAdapter, type AdapterReport } from './gpu-suite';
import { measureForward, measureMatmul, type ForwardMeasurement, type MatmulMeasurement } from './measure';
import { manifestWeights } from '../model/manifest';

/** What the page exposes to the benchmark driver. */
export interface BenchPageApi {
  environment(): { crossOriginIsolated: boolean; threads: number; userAgent: string };
  forward(modelUrl: string, backend: BackendKind, shapes: CallShape[]): Promise<{ choice: BackendChoice; sessionMs: number; results: ForwardMeasurement[] }>;
  matmul(backend: BackendKind, m: number, k: number, n: number): Promise<MatmulMeasurement>;
  /** The WebGPU adapter this page would get, or null. */
  adapter(): Promise<AdapterReport | null>;
  /** Bytes used by this page (JS heaps + WASM memory), where the browser can measure it. */
  memory(): Promise<number | null>;
}

const status = document.getElementById('status') as HTMLOutputElement;
// `?ep=native` measures ORT's native WebGPU execution provider (onnxruntime-web/webgpu) instead of JSEP.
const native = new URLSearchParams(location.search).get('ep') === 'native';
const ort: typeof OrtWeb = native ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web');
configureOrtEnv(ort, { runtime: native ? 'webgpu-ep' : 'jsep' });

const api: BenchPageApi = {
  environment() {
    return { crossOriginIsolated: globalThis.crossOriginIsolated, threads: ort.env.wasm.numThreads ?? 1, userAgent: navigator.userAgent };
  },
  async forward(modelUrl, backend, shapes) {
    status.value = `loading ${modelUrl}`;
    const { onnx, manifest } = await fetchConvertedModel(modelUrl);
    const t0 = performance.now();
    const { runner, choice } = await createRunner(ort, onnx, modelInfoFromConfig(manifest.config), backend, { weights: manifestWeights(manifest) });
    const sessionMs = performance.now() - t0;
    const results: ForwardMeasurement[] = [];
    for (const shape of shapes) {
      status.value = `${manifest.name} ${backend} B=${shape.batch} T=${shape.contextLength}`;
      results.push(await measureForward(runner, manifest.config, shape));
    }
    await runner.dispose();
    return { choice, sessionMs, results };
  },
  async matmul(backend, m, k, n) {
    const session = await ort.InferenceSession.create(matmulModel(k, n), sessionOptionsFor(backend));
    const x = new ort.Tensor('float32', new Float32Array(m * k).fill(0.5), [m, k]);
    const result = await measureMatmul(() => session.run({ x }), m, k, n);
    await session.release();
    return result;
  },
  adapter: () => describeAdapter(),
  async memory() {
    const measure = (performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> })
      .measureUserAgentSpecificMemory;
    if (!measure || !globalThis.crossOriginIsolated) return null;
    return (await measure.call(performance)).bytes;
  },
};

(window as unknown as { chronosBench: BenchPageApi }).chronosBench = api;

// Self-driving mode for GPU machines without Node.js (scripts/device/webgpu-bench.sh).
const suite = new URLSearchParams(location.search).get('suite');
if (suite === 'gpu' || suite === 'probe' || suite === 'ceiling' || suite === 'profile') {
  void import('./gpu-suite').then(async ({ runGpuSuite, runGpuDiagnostics }) => {
    status.value = `running the ${suite} suite`;
    const report = suite === 'ceiling' || suite === 'profile' ? await runGpuDiagnostics(ort, suite) : await runGpuSuite(ort, { probeOnly: suite === 'probe' });
    status.value = report.error ? `stopped: ${report.error}` : 'done';
  });
}
