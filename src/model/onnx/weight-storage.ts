// What each weight storage of the converter costs in accuracy, measured once on the golden cases of the
// reference pipeline and stated wherever a user chooses a storage (model panel, CLI help). The measurement:
// `npm run parity -- ../shared/fixtures/chronos2 --weights W --tolerance 1` (random-small, whose random weights
// are harder to quantize than trained ones), worst max|got − expected| / max|expected| over all 31 cases' tasks.
import type { WeightStorage } from './fp16';

/** Short labels for the UI. */
export const WEIGHT_STORAGE_LABEL: Readonly<Record<WeightStorage, string>> = {
  float32: 'fp32',
  float16: 'fp16',
  int8: 'int8',
  int4: 'int4',
};

/** ONNX size relative to float32 (linear layers dominate the parameters). */
export const WEIGHT_STORAGE_SIZE: Readonly<Record<WeightStorage, string>> = {
  float32: 'full size',
  float16: 'about 1/2 the size',
  int8: 'about 1/4 the size (+ block scales)',
  int4: 'about 1/8 the size (+ block scales)',
};

/**
 * Bound on the relative error per task against the reference pipeline. Measured worst cases: fp32 2.3e-6,
 * fp16 3.3e-3, int8 1.9e-2, int4 2.2e-1 (single model calls: fp16 ≤ 1e-3, int8 ≤ 8e-3, int4 ≤ 1.6e-1).
 */
export const WEIGHT_STORAGE_ERROR: Readonly<Record<WeightStorage, number>> = {
  float32: 1e-4,
  float16: 5e-3,
  int8: 2.5e-2,
  int4: 0.25,
};
