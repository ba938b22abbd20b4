// Every golden case of the upstream reference pipeline, end to end through the converter, onnxruntime-web
// (WASM, in Node) and our pipeline: per task max|got − expected| ≤ 1e-4 · max|expected|.
// random-small ships with the project; upstream's dummy checkpoint is read from ../shared (never committed).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runnerFromDir } from '../../src/node/model-files';
import { runGoldenCase, type GoldenCase } from '../../src/parity/golden-case';
import type { OrtModelRunner } from '../../src/runtime/ort-runner';

const repo = path.resolve(__dirname, '../..');
const fixtures = path.join(repo, 'test/fixtures/chronos2');
const modelDirs: Record<string, string> = {
  'random-small': path.join(fixtures, 'models/random-small'),
  dummy: path.resolve(repo, '../shared/fixtures/chronos2/models/dummy'),
};
const TOLERANCE = 1e-4;

const caseFiles = readdirSync(path.join(fixtures, 'cases')).filter((f) => f.endsWith('.json')).sort();
const runners = new Map<string, Promise<OrtModelRunner>>();
function runnerFor(model: string): Promise<OrtModelRunner> {
  if (!runners.has(model)) runners.set(model, runnerFromDir(modelDirs[model]));
  return runners.get(model)!;
}

describe('golden cases of the reference Chronos2Pipeline', () => {
  it('has all 31 cases', () => {
    expect(caseFiles).toHaveLength(31);
  });

  it('finds upstream dummy checkpoint in ../shared (required on CI)', () => {
    const present = existsSync(path.join(modelDirs.dummy, 'model.safetensors'));
    if (process.env.CI === 'true') expect(present, `missing ${modelDirs.dummy}: CI needs ../shared/fixtures`).toBe(true);
  });

  for (const file of caseFiles) {
    const c = JSON.parse(readFileSync(path.join(fixtures, 'cases', file), 'utf8')) as GoldenCase;
    const name = file.replace(/\.json$/, '');
    const available = existsSync(path.join(modelDirs[c.model] ?? '', 'model.safetensors'));
    const skip = !available && process.env.CI !== 'true';
    it.skipIf(skip)(`${name} (${c.model}, ${c.call}) within ${TOLERANCE}`, async () => {
      const result = await runGoldenCase(await runnerFor(c.model), name, c, TOLERANCE);
      for (const t of result.tasks) expect(t.relError, `${name} ${t.label}`).toBeLessThanOrEqual(TOLERANCE);
      expect(result.passed).toBe(true);
    });
  }
});
