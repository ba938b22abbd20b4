// Every golden case of the upstream reference pipeline, end to end through the converter, onnxruntime-web
// (WASM, in Node) and our pipeline: per task max|got − expected| ≤ 1e-4 · max|expected|.
// random-small ships with the project; upstream's dummy checkpoint, the LoRA adapter random-small-lora and the
// cases only ../shared has (j_lora_*, j_embed_*) are read from ../shared (never committed).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runnerFromDir } from '../../src/node/model-files';
import { runGoldenCase, type GoldenCase } from '../../src/parity/golden-case';
import { sessionOptionsFor } from '../../src/runtime/backend';
import type { OrtModelRunner } from '../../src/runtime/ort-runner';

const repo = path.resolve(__dirname, '../..');
const fixtures = path.join(repo, 'test/fixtures/chronos2');
const shared = path.resolve(repo, '../shared/fixtures/chronos2');
const modelDirs: Record<string, string> = {
  'random-small': path.join(fixtures, 'models/random-small'),
  dummy: path.join(shared, 'models/dummy'),
  // an adapter folder: its base random-small is found beside it
  'random-small-lora': path.join(shared, 'models/random-small-lora'),
};
const weightsFile = (model: string): string =>
  path.join(modelDirs[model] ?? '', model.endsWith('-lora') ? 'adapter_model.safetensors' : 'model.safetensors');
const TOLERANCE = 1e-4;

const jsonIn = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : []);
const committed = jsonIn(path.join(fixtures, 'cases'));
const sharedOnly = jsonIn(path.join(shared, 'cases')).filter((f) => !committed.includes(f));
const caseFiles = [...committed.map((f) => path.join(fixtures, 'cases', f)), ...sharedOnly.map((f) => path.join(shared, 'cases', f))].sort((a, b) =>
  path.basename(a).localeCompare(path.basename(b)),
);
const runners = new Map<string, Promise<OrtModelRunner>>();
function runnerFor(model: string): Promise<OrtModelRunner> {
  if (!runners.has(model)) runners.set(model, runnerFromDir(modelDirs[model]));
  return runners.get(model)!;
}

describe('golden cases of the reference Chronos2Pipeline', () => {
  it('has all 31 committed cases, and the 5 LoRA and embed cases of ../shared when it is there', () => {
    expect(committed).toHaveLength(31);
    if (existsSync(shared) || process.env.CI === 'true') expect(caseFiles).toHaveLength(36);
  });

  it('finds upstream dummy checkpoint in ../shared (required on CI)', () => {
    const present = existsSync(path.join(modelDirs.dummy, 'model.safetensors'));
    if (process.env.CI === 'true') expect(present, `missing ${modelDirs.dummy}: CI needs ../shared/fixtures`).toBe(true);
  });

  for (const file of caseFiles) {
    const c = JSON.parse(readFileSync(file, 'utf8')) as GoldenCase;
    const name = path.basename(file).replace(/\.json$/, '');
    const available = existsSync(weightsFile(c.model));
    const skip = !available && process.env.CI !== 'true';
    it.skipIf(skip)(`${name} (${c.model}, ${c.call}) within ${TOLERANCE}`, async () => {
      const result = await runGoldenCase(await runnerFor(c.model), name, c, TOLERANCE);
      for (const t of result.tasks) expect(t.relError, `${name} ${t.label}`).toBeLessThanOrEqual(TOLERANCE);
      expect(result.passed).toBe(true);
    });
  }
});

// The app's WASM sessions of float32 models run the graph as converted (no ORT graph optimisation: it found
// nothing worth its session time), so the same cases hold without it too.
describe('golden cases with the app\'s WASM session options for float32 weights', () => {
  const appRunners = new Map<string, Promise<OrtModelRunner>>();
  const appRunnerFor = (model: string): Promise<OrtModelRunner> => {
    if (!appRunners.has(model)) appRunners.set(model, runnerFromDir(modelDirs[model], { sessionOptions: sessionOptionsFor('wasm', 'float32') }));
    return appRunners.get(model)!;
  };
  it('uses no graph optimisation for float32 weights and the basic level otherwise', () => {
    expect(sessionOptionsFor('wasm', 'float32').graphOptimizationLevel).toBe('disabled');
    expect(sessionOptionsFor('wasm', 'float16').graphOptimizationLevel).toBe('basic');
    expect(sessionOptionsFor('wasm').graphOptimizationLevel).toBe('basic');
    expect(sessionOptionsFor('webgpu', 'float32').graphOptimizationLevel).toBe('all');
  });
  for (const file of caseFiles) {
    const c = JSON.parse(readFileSync(file, 'utf8')) as GoldenCase;
    if (c.model !== 'random-small' && c.model !== 'dummy') continue;
    const name = path.basename(file).replace(/\.json$/, '');
    const skip = !existsSync(weightsFile(c.model)) && process.env.CI !== 'true';
    it.skipIf(skip)(`${name} (${c.model}, ${c.call}) within ${TOLERANCE}`, async () => {
      const result = await runGoldenCase(await appRunnerFor(c.model), name, c, TOLERANCE);
      for (const t of result.tasks) expect(t.relError, `${name} ${t.label}`).toBeLessThanOrEqual(TOLERANCE);
      expect(result.passed).toBe(true);
    });
  }
});
