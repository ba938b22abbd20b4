// Architectures of the published Chronos-2 models, for checkpoints with seeded random weights at real
// sizes (conversion checks and benchmarks where the real weights cannot be downloaded).
import type { Chronos2Config } from './config';

/** Architectures of the published Chronos-2 models (random weights, real shapes). */
export const PRESETS: Record<string, Partial<Chronos2Config>> = {
  // amazon/chronos-2: 120M parameters
  'chronos-2': { dModel: 768, dKv: 64, numHeads: 12, dFf: 3072, numLayers: 12, contextLength: 8192, maxOutputPatches: 64 },
  // autogluon/chronos-2-small: 28M parameters
  'chronos-2-small': { dModel: 512, dKv: 64, numHeads: 8, dFf: 2048, numLayers: 6, contextLength: 8192, maxOutputPatches: 64 },
  'random-small': { dModel: 32, dKv: 8, numHeads: 4, dFf: 64, numLayers: 3, contextLength: 512, maxOutputPatches: 8 },
};

