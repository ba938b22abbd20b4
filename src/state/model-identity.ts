// What the model that runs really is, in the words the header, the status bar and the metrics table use: our
// small demo model (chronos2-mini, trained here on real and synthetic series) is "Chronos-2 architecture, our
// demo weights", Amazon's published checkpoints are named as such, the random-weight test model says so, anything else is named by where its
// weights came from. Also the published checkpoints the app offers, with their download size per weight format.
import type { WeightStorage } from '../model/onnx/fp16';
import type { ModelChoice } from './slices/model-slice';

/** The bundled default model (public/models/chronos2-mini). */
export const DEMO_MODEL = 'chronos2-mini';
/** The random-weight model the tests load by URL (`?model=random-small`); never offered to users. */
export const TEST_MODEL = 'random-small';

/** A published Chronos-2 checkpoint the app offers to download. */
export interface OfficialModel {
  repo: string;
  parameters: string;
  /** Bytes downloaded from the hub (the fp32 safetensors checkpoint, whatever the storage chosen). */
  downloadBytes: number;
  /** Bytes of the converted model kept in the browser's cache, per weight storage. */
  cachedBytes: Readonly<Record<WeightStorage, number>>;
  /** Whether `cachedBytes` were measured (else scaled from the measured small model). */
  measured: boolean;
}

/**
 * amazon/chronos-2 and its small sibling. The small model's sizes are measured (docs/benchmarks.md, Weight
 * formats); the large model's non-fp32 sizes are those scaled by the fp32 ratio (478 / 113).
 */
export const OFFICIAL_MODELS: readonly OfficialModel[] = [
  { repo: 'amazon/chronos-2', parameters: '120M', downloadBytes: 478e6, cachedBytes: { float32: 478e6, float16: 240e6, int8: 140e6, int4: 76e6 }, measured: false },
  { repo: 'autogluon/chronos-2-small', parameters: '28M', downloadBytes: 113e6, cachedBytes: { float32: 113e6, float16: 56.8e6, int8: 33e6, int4: 18e6 }, measured: true },
];

/** How the app names a model. */
export interface ModelIdentity {
  /** The model's own name (repo id, folder or file name). */
  name: string;
  kind: 'demo' | 'official' | 'test' | 'custom';
  /** What it is, in a few words: "Chronos-2 architecture, our demo weights". */
  summary: string;
}

/** Names the model `name`, loaded as `choice`. */
export function modelIdentity(name: string, choice: ModelChoice | null): ModelIdentity {
  if (name === DEMO_MODEL) return { name, kind: 'demo', summary: 'Chronos-2 architecture, our demo weights' };
  if (name === TEST_MODEL) return { name, kind: 'test', summary: 'test model with random weights, forecasts are not meaningful' };
  if (OFFICIAL_MODELS.some((m) => m.repo === name)) return { name, kind: 'official', summary: 'Chronos-2 by Amazon, published weights' };
  const from =
    choice?.kind === 'hub' ? 'weights from Hugging Face' : choice?.kind === 'files' ? 'weights from your files' : choice?.kind === 'cached' ? 'weights cached in this browser' : 'installed weights';
  return { name, kind: 'custom', summary: `Chronos-2 architecture, ${from}` };
}
