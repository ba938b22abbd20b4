// The golden cases at a third of amazon/chronos-2's width (../shared/fixtures/chronos2-mid, 36 MB, never
// committed): T = 8192 contexts, 1024-step calls and a 1500-step unrolled horizon with a model whose outputs
// depend strongly on its inputs. Same measure and tolerance as the small cases; required on CI.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runnerFromDir } from '../../src/node/model-files';
import { runGoldenCase, type GoldenCase } from '../../src/parity/golden-case';
import type { OrtModelRunner } from '../../src/runtime/ort-runner';

const root = path.resolve(__dirname, '../../../shared/fixtures/chronos2-mid');
const TOLERANCE = 1e-4;
const present = existsSync(path.join(root, 'models/mid-random/model.safetensors'));
const onCi = process.env.CI === 'true';
const caseFiles = present ? readdirSync(path.join(root, 'cases')).filter((f) => f.endsWith('.json')).sort() : [];

let runner: Promise<OrtModelRunner> | undefined;
afterAll(async () => {
  await (await runner)?.dispose();
});

describe('mid-size golden cases (../shared/fixtures/chronos2-mid)', () => {
  it('are present (required on CI) and all 7 are listed', () => {
    if (onCi) expect(present, `missing ${root}: CI needs ../shared/fixtures`).toBe(true);
    if (present) expect(caseFiles).toHaveLength(7);
  });

  for (const file of caseFiles) {
    const name = file.replace(/\.json$/, '');
    it(`${name} within ${TOLERANCE}`, async () => {
      const c = JSON.parse(readFileSync(path.join(root, 'cases', file), 'utf8')) as GoldenCase;
      runner ??= runnerFromDir(path.join(root, 'models', c.model));
      const result = await runGoldenCase(await runner, name, c, TOLERANCE);
      for (const t of result.tasks) expect(t.relError, `${name} ${t.label}`).toBeLessThanOrEqual(TOLERANCE);
    }, 60_000);
  }
});
