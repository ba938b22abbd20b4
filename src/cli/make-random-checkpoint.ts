// `npm run make-random -- <out-dir> [--preset chronos-2|chronos-2-small|random-small] [--seed N]`:
// writes a Chronos-2 checkpoint (config.json + model.safetensors) with seeded random weights at a real
// model's size, for conversion checks and benchmarks where the real weights cannot be downloaded.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseChronos2Config } from '../model/config';
import { PRESETS } from '../model/presets';
import { makeChronos2ConfigJson, randomChronos2Tensors, writeSafetensors } from '../model/random-checkpoint';
import { runCli } from './run-cli';

const USAGE = 'usage: npm run make-random -- <out-dir> [--preset chronos-2|chronos-2-small|random-small] [--seed N]';

runCli(async (args) => {
  let preset = 'chronos-2';
  let seed = 0;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--help' || args[i] === '-h') return void console.log(USAGE);
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
