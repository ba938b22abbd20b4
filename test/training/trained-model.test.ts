// The bundled trained model (public/models/chronos2-mini) against golden outputs of the PyTorch model that
// trained it (training/golden.py): once converted in memory from its checkpoint, once from the committed ONNX
// file the app loads. Per case max|got − expected| ≤ 1e-4 · max|expected|.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { convertCheckpointDir, readConvertedDir } from '../../src/node/model-files';
import { runGoldenCase, type GoldenCase } from '../../src/parity/golden-case';
import { OrtModelRunner, modelInfoFromConfig } from '../../src/runtime/ort-runner';

const repo = path.resolve(__dirname, '../..');
const fixtures = path.join(repo, 'test/fixtures/trained');
const modelDir = path.join(repo, 'public/models/chronos2-mini');
const TOLERANCE = 1e-4;

const caseFiles = readdirSync(path.join(fixtures, 'cases')).filter((f) => f.endsWith('.json')).sort();

async function checkpointRunner(): Promise<OrtModelRunner> {
  const converted = await convertCheckpointDir(modelDir);
  return OrtModelRunner.create(ort, converted.onnx, modelInfoFromConfig(converted.config));
}

async function onnxRunner(): Promise<OrtModelRunner> {
  const { onnx, manifest } = await readConvertedDir(modelDir);
  return OrtModelRunner.create(ort, onnx, modelInfoFromConfig(manifest.config));
}

describe('bundled chronos2-mini matches the PyTorch model that trained it', () => {
  it('ships checkpoint, ONNX, manifest and model card, each at most 10 MB', () => {
    for (const f of ['config.json', 'model.safetensors', 'model.onnx', 'manifest.json', 'README.md']) {
      const file = path.join(modelDir, f);
      expect(existsSync(file), file).toBe(true);
      expect(readFileSync(file).byteLength).toBeLessThanOrEqual(10 * 1024 * 1024);
    }
    expect(caseFiles.length).toBeGreaterThanOrEqual(6);
  });

  for (const [label, makeRunner] of [
    ['checkpoint converted in memory', checkpointRunner],
    ['committed model.onnx', onnxRunner],
  ] as const) {
    describe(label, () => {
      let runner: Promise<OrtModelRunner> | null = null;
      for (const file of caseFiles) {
        const name = file.replace(/\.json$/, '');
        it(`${name} within ${TOLERANCE}`, async () => {
          runner ??= makeRunner();
          const c = JSON.parse(readFileSync(path.join(fixtures, 'cases', file), 'utf8')) as GoldenCase;
          const result = await runGoldenCase(await runner, name, c, TOLERANCE);
          for (const t of result.tasks) expect(t.relError, `${name} ${t.label}`).toBeLessThanOrEqual(TOLERANCE);
          expect(result.passed).toBe(true);
        });
      }
    });
  }
});
