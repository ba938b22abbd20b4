// `npm run parity -- <fixtures-dir> [--tolerance 1e-4] [--filter SUBSTRING] [--weights float16|int8|int4]`: runs every golden case of
// a folder in the fixtures/chronos2 format (models/<name>/ checkpoints + cases/*.json) through the library
// on onnxruntime-web in Node, one line per case, then `N passed, M failed`; exits 1 on any failure. With --fp16
// the checkpoints are converted with float16 weight storage, which measures what that storage costs.
import { WEIGHT_STORAGES, type WeightStorage } from '../model/onnx/fp16';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runnerFromDir } from '../node/model-files';
import { formatCaseResult, runGoldenCase, type GoldenCase } from '../parity/golden-case';
import type { OrtModelRunner } from '../runtime/ort-runner';
import { runCli } from './run-cli';

const USAGE = 'usage: npm run parity -- <fixtures-dir> [--tolerance 1e-4] [--filter SUBSTRING] [--weights float16|int8|int4] [--fp16]';

runCli(async (args) => {
  let tolerance = 1e-4;
  let filter = '';
  let weights: WeightStorage = 'float32';
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--help' || args[i] === '-h') return void console.log(USAGE);
    if (args[i] === '--tolerance') tolerance = Number(args[++i]);
    else if (args[i] === '--filter') filter = args[++i] ?? '';
    else if (args[i] === '--fp16') weights = 'float16';
    else if (args[i] === '--weights') {
      const w = args[++i] as WeightStorage;
      if (!WEIGHT_STORAGES.includes(w)) throw new Error(`--weights must be one of ${WEIGHT_STORAGES.join(', ')}`);
      weights = w;
    }
    else positional.push(args[i]);
  }
  if (positional.length !== 1 || !(tolerance > 0)) throw new Error(USAGE);
  const root = positional[0];
  const casesDir = path.join(root, 'cases');
  const names = (await fs.readdir(casesDir).catch(() => {
    throw new Error(`${casesDir}: no cases folder (expected <fixtures-dir>/cases/*.json and <fixtures-dir>/models/<name>/)`);
  }))
    .filter((f) => f.endsWith('.json') && f.includes(filter))
    .sort();
  if (names.length === 0) throw new Error(`${casesDir}: no case files${filter ? ` matching "${filter}"` : ''}`);

  const runners = new Map<string, Promise<OrtModelRunner>>();
  let passed = 0;
  let failed = 0;
  for (const file of names) {
    const name = file.replace(/\.json$/, '');
    try {
      const c = JSON.parse(await fs.readFile(path.join(casesDir, file), 'utf8')) as GoldenCase;
      if (!runners.has(c.model)) runners.set(c.model, runnerFromDir(path.join(root, 'models', c.model), { weightStorage: weights }));
      const runner = await runners.get(c.model)!;
      const result = await runGoldenCase(runner, name, c, tolerance);
      console.log(formatCaseResult(result));
      if (result.passed) passed++;
      else failed++;
    } catch (e) {
      failed++;
      console.log(`FAIL  ${name}: ${(e as Error).name}: ${(e as Error).message}`);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
});
