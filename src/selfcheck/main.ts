// The in-browser numerics self-check: loads a converted model on a chosen backend (the ORT builds of the app:
// the CPU-only build for WASM, ORT's native WebGPU EP for WebGPU) and runs golden cases (the fixtures/chronos2
// format) through the same pipeline code the app uses. The browser parity tests drive it through
// `window.chronosSelfCheck`; a person can use it to check their own GPU.
import * as ort from 'onnxruntime-web/wasm';
import { fetchConvertedModel } from '../chronos2';
import { configureOrtEnv, createRunner, type BackendChoice, type BackendPreference } from '../runtime/backend';
import { modelInfoFromConfig, type OrtModelRunner } from '../runtime/ort-runner';
import { loadWebGpuOrt } from '../runtime/webgpu-runtime';
import { runGoldenCase, formatCaseResult, type CaseResult, type GoldenCase } from '../parity/golden-case';
import { manifestWeights } from '../model/manifest';

/** What the page exposes to scripts. */
export interface SelfCheckApi {
  /** Loads `modelUrl` (a converted model folder) on `backend`; returns the backend actually used. */
  load(modelUrl: string, backend: BackendPreference): Promise<BackendChoice>;
  /** Runs one case with the loaded model. */
  run(name: string, goldenCase: GoldenCase, tolerance: number): Promise<CaseResult>;
}

configureOrtEnv(ort, { runtime: 'wasm' });
const status = document.getElementById('status') as HTMLOutputElement;
let runner: OrtModelRunner | undefined;

const api: SelfCheckApi = {
  async load(modelUrl, backend) {
    status.value = `loading ${modelUrl} on ${backend}…`;
    const { onnx, manifest } = await fetchConvertedModel(modelUrl);
    await runner?.dispose();
    const created = await createRunner(ort, onnx, modelInfoFromConfig(manifest.config), backend, { webgpuOrt: loadWebGpuOrt, weights: manifestWeights(manifest) });
    runner = created.runner;
    status.value = `${manifest.name} on ${created.choice.backend}: ${created.choice.reason}`;
    return created.choice;
  },
  async run(name, goldenCase, tolerance) {
    if (!runner) throw new Error('load a model first');
    const result = await runGoldenCase(runner, name, goldenCase, tolerance);
    status.value = formatCaseResult(result);
    return result;
  },
};

(window as unknown as { chronosSelfCheck: SelfCheckApi }).chronosSelfCheck = api;
