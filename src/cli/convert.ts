// `npm run convert -- <checkpoint-dir> <out-dir> [--name NAME]`: converts a Hugging Face Chronos-2
// checkpoint into model.onnx + manifest.json, the form the app and the library load. Both are written atomically:
// an interrupted run (Ctrl-C) leaves the previous model.onnx and manifest.json as they were.
import { WEIGHT_STORAGES, type WeightStorage } from '../model/onnx/fp16';
import * as path from 'node:path';
import { writeFilesAtomically } from '../node/atomic-files';
import { convertCheckpointDir } from '../node/model-files';
import { runCli } from './run-cli';

const USAGE = 'usage: npm run convert -- <checkpoint-dir> <out-dir> [--name NAME] [--plain-ops] [--broadcast-bias] [--weights float32|float16|int8|int4]';

runCli(async (args) => {
  const positional: string[] = [];
  let name: string | undefined;
  let fused = true;
  let broadcastAttentionBias = false;
  let weights: WeightStorage = 'float32';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--name') name = args[++i];
    else if (args[i] === '--plain-ops') fused = false;
    else if (args[i] === '--broadcast-bias') broadcastAttentionBias = true;
    else if (args[i] === '--weights') {
      const w = args[++i] as WeightStorage;
      if (!WEIGHT_STORAGES.includes(w)) throw new Error(`--weights must be one of ${WEIGHT_STORAGES.join(', ')}`);
      weights = w;
    }
    else if (args[i] === '--help' || args[i] === '-h') return void console.log(USAGE);
    else positional.push(args[i]);
  }
  if (positional.length !== 2 || name === '') throw new Error(USAGE);
  const [checkpointDir, outDir] = positional;
  const t0 = performance.now();
  const converted = await convertCheckpointDir(checkpointDir, name, { fused, weightStorage: weights, broadcastAttentionBias });
  const seconds = (performance.now() - t0) / 1000;
  await writeFilesAtomically(outDir, [
    { name: converted.manifest.onnxFile, bytes: converted.onnx },
    { name: 'manifest.json', bytes: JSON.stringify(converted.manifest, null, 2) + '\n' },
  ]);
  const c = converted.config;
  console.log(
    `converted ${checkpointDir} -> ${path.join(outDir, converted.manifest.onnxFile)} in ${seconds.toFixed(2)} s\n` +
      `  d_model ${c.dModel}, ${c.numLayers} layers, ${c.numHeads} heads × d_kv ${c.dKv}, d_ff ${c.dFf}, ${c.denseActFn}\n` +
      `  context ${c.contextLength}, patch ${c.patchSize}, max output patches ${c.maxOutputPatches}, ${c.quantiles.length} quantiles\n` +
      `  ${converted.manifest.parameterCount.toLocaleString('en-US')} parameters, ${(converted.onnx.byteLength / 1e6).toFixed(2)} MB, sha256 ${converted.manifest.sha256}`,
  );
});
