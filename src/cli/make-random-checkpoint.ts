// `npm run make-random -- <out-dir> [--preset chronos-2|chronos-2-small|random-small] [--seed N]`:
// writes a Chronos-2 checkpoint (config.json + model.safetensors) with seeded random weights at a real
// model's size, for conversion checks and benchmarks where the real weights cannot be downloaded.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseChronos2Config, type Chronos2Config } from '../model/config';
import { makeChronos2ConfigJson, randomChronos2Tensors, writeSafetensors } from '../model/random-checkpoint';
import { runCli } from './run-cli';

/** Architectures of the published Chronos-2 models (random weights, real shapes). */
export const PRESETS: Record<string, Partial<Chronos2Config>> = {
  // amazon/chronos-2: 120M parameters
  'chronos-2': { dModel: 768, dKv: 64, numHeads: 12, dFf: 3072, numLayers: 12, contextLength: 8192, maxOutputPatches: 64 },
  // autogluon/chronos-2-small: 28M parameters
  'chronos-2-small': { dModel: 512, dKv: 64, numHeads: 8, dFf: 2048, numLayers: 6, contextLength: 8192, maxOutputPatches: 64 },
  'random-small': { dModel: 32, dKv: 8, numHeads: 4, dFf: 64, numLayers: 3, contextLength: 512, maxOutputPatches: 8 },
};

const USAGE = 'usage: npm run make-random -- <out-dir> [--preset chronos-2|chronos-2-small|random-small] [--seed N]';

runCli(async (args) => {
  let preset = 'chronos-2';
  let seed = 0;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--preset') preset = args[++i];
    else if (args[i] === '--seed') seed = Number(args[++i]);
    else positional.push(args[i]);
  }
  if (positional.length !== 1 || !(preset in PRESETS) || !Number.isSafeInteger(seed)) throw new Error(USAGE);
  const configJson = makeChronos2ConfigJson(PRESETS[preset]);
  const config = parseChronos2Config(configJson);
  const t0 = performance.now();
  const bytes = writeSafetensors(randomChronos2Tensors(config, seed), { format: 'pt', generator: `chronos-web random seed ${seed}` });
  const out = positional[0];
  await fs.mkdir(out, { recursive: true });
  await fs.writeFile(path.join(out, 'config.json'), JSON.stringify(configJson, null, 2) + '\n');
  await fs.writeFile(path.join(out, 'model.safetensors'), bytes);
  console.log(`wrote ${preset} (seed ${seed}) to ${out}: ${(bytes.byteLength / 1e6).toFixed(1)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
});
