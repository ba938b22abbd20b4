// Checks that the expected Chronos-2 tensor names and shapes match the real state_dicts of the fixture
// checkpoints, that mismatching checkpoints are reported in full, and that random checkpoints fit their config.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CheckpointError, expectedTensorShapes, validateCheckpointTensors } from '../../src/model/checkpoint-names';
import { parseChronos2Config, parseChronos2ConfigText, type Chronos2Config } from '../../src/model/config';
import {
  CHRONOS_2_BASE_SHAPE,
  makeChronos2ConfigJson,
  randomChronos2Tensors,
  writeSafetensors,
} from '../../src/model/random-checkpoint';
import { SafetensorsFile, type TensorInfo } from '../../src/model/safetensors';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const randomSmallDir = path.join(repoRoot, 'test/fixtures/chronos2/models/random-small');
const dummyDir = path.resolve(repoRoot, '../shared/fixtures/chronos2/models/dummy');
const dummyAvailable = existsSync(path.join(dummyDir, 'model.safetensors'));
// Outside CI a missing shared fixture only skips; in CI the test runs and fails on the missing file.
const itDummy = dummyAvailable || process.env.CI === 'true' ? it : it.skip;

function loadModel(dir: string): { config: Chronos2Config; file: SafetensorsFile } {
  expect(existsSync(path.join(dir, 'model.safetensors')), `missing fixture ${dir}`).toBe(true);
  const config = parseChronos2ConfigText(readFileSync(path.join(dir, 'config.json'), 'utf8'));
  const file = SafetensorsFile.parse(new Uint8Array(readFileSync(path.join(dir, 'model.safetensors'))));
  return { config, file };
}

function shapesOf(tensors: Map<string, TensorInfo>): Map<string, number[]> {
  return new Map([...tensors].map(([name, info]) => [name, info.shape]));
}

/** TensorInfo entries for name → shape, as a parsed header would give them (offsets are irrelevant here). */
function infos(shapes: Map<string, number[]>): Map<string, TensorInfo> {
  const out = new Map<string, TensorInfo>();
  let offset = 0;
  for (const [name, shape] of shapes) {
    const byteLength = 4 * shape.reduce((a, d) => a * d, 1);
    out.set(name, { name, dtype: 'F32', shape, byteOffset: offset, byteLength });
    offset += byteLength;
  }
  return out;
}

function expectCheckpointError(fn: () => void): CheckpointError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(CheckpointError);
  const err = caught as CheckpointError;
  expect(err.name).toBe('CheckpointError');
  return err;
}

const small = (overrides: Partial<Chronos2Config> = {}): Chronos2Config =>
  parseChronos2Config(makeChronos2ConfigJson(overrides));

describe('expectedTensorShapes', () => {
  it('matches the state_dict of the random-small fixture exactly', () => {
    const { config, file } = loadModel(randomSmallDir);
    const expected = expectedTensorShapes(config);
    expect(new Map([...expected].sort())).toEqual(new Map([...shapesOf(file.tensors)].sort()));
    expect(() => validateCheckpointTensors(config, file.tensors)).not.toThrow();
  });

  itDummy('matches the state_dict of the dummy fixture exactly (d_kv·heads ≠ d_model)', () => {
    const { config, file } = loadModel(dummyDir);
    const expected = expectedTensorShapes(config);
    expect(expected.get('encoder.block.1.layer.1.self_attention.q.weight')).toEqual([16, 6]);
    expect(expected.get('encoder.block.1.layer.1.self_attention.o.weight')).toEqual([6, 16]);
    expect(new Map([...expected].sort())).toEqual(new Map([...shapesOf(file.tensors)].sort()));
    expect(() => validateCheckpointTensors(config, file.tensors)).not.toThrow();
  });

  it('has 14 + 13 per layer tensors in state_dict order', () => {
    const names = [...expectedTensorShapes(small({ numLayers: 5 })).keys()];
    expect(names).toHaveLength(14 + 13 * 5);
    expect(names[0]).toBe('shared.weight');
    expect(names[1]).toBe('input_patch_embedding.hidden_layer.weight');
    expect(names[7]).toBe('encoder.block.0.layer.0.self_attention.q.weight');
    expect(names.at(-7)).toBe('encoder.final_layer_norm.weight');
    expect(names.at(-1)).toBe('output_patch_embedding.residual_layer.bias');
  });

  it('sizes shared.weight by the REG token and the output by quantiles × patch', () => {
    const shapes = expectedTensorShapes(small({ useRegToken: false, quantiles: [0.1, 0.5, 0.9], patchSize: 8 }));
    expect(shapes.get('shared.weight')).toEqual([1, 32]);
    expect(shapes.get('input_patch_embedding.hidden_layer.weight')).toEqual([64, 24]);
    expect(shapes.get('input_patch_embedding.residual_layer.weight')).toEqual([32, 24]);
    expect(shapes.get('output_patch_embedding.output_layer.weight')).toEqual([24, 64]);
    expect(shapes.get('output_patch_embedding.residual_layer.bias')).toEqual([24]);
  });

  it('gives the amazon/chronos-2 shape about 120M parameters', () => {
    const config = parseChronos2Config(makeChronos2ConfigJson(CHRONOS_2_BASE_SHAPE));
    let count = 0;
    for (const shape of expectedTensorShapes(config).values()) count += shape.reduce((a, d) => a * d, 1);
    expect(count).toBe(119_477_664);
  });
});

describe('validateCheckpointTensors', () => {
  it('ignores non-persistent buffers some exports include', () => {
    const config = small();
    const shapes = expectedTensorShapes(config);
    shapes.set('encoder.block.0.layer.0.self_attention.rope_embed.inv_freq', [4]);
    shapes.set('encoder.block.2.layer.0.self_attention.rope_embed.original_inv_freq', [4]);
    shapes.set('quantiles', [21]);
    expect(() => validateCheckpointTensors(config, infos(shapes))).not.toThrow();
  });

  it('lists missing, unexpected and mismatched tensors together', () => {
    const config = small();
    const shapes = expectedTensorShapes(config);
    shapes.delete('encoder.block.1.layer.2.mlp.wo.weight');
    shapes.delete('shared.weight');
    shapes.set('lm_head.weight', [2, 32]);
    shapes.set('encoder.block.0.layer.2.mlp.wi_0.weight', [64, 32]);
    shapes.set('encoder.block.0.layer.0.self_attention.q.weight', [32, 16]);
    const err = expectCheckpointError(() => validateCheckpointTensors(config, infos(shapes), 'my.safetensors'));
    expect(err.missing).toEqual(['shared.weight', 'encoder.block.1.layer.2.mlp.wo.weight']);
    expect(err.unexpected).toEqual(['lm_head.weight', 'encoder.block.0.layer.2.mlp.wi_0.weight']);
    expect(err.mismatched).toEqual(['encoder.block.0.layer.0.self_attention.q.weight']);
    expect(err.message).toContain('my.safetensors');
    expect(err.message).toContain('2 missing: shared.weight, encoder.block.1.layer.2.mlp.wo.weight');
    expect(err.message).toContain('2 unexpected: lm_head.weight, encoder.block.0.layer.2.mlp.wi_0.weight');
    expect(err.message).toContain('encoder.block.0.layer.0.self_attention.q.weight expected [32, 32], found [32, 16]');
  });

  it('reports a config that does not belong to the fixture checkpoint', () => {
    const { config, file } = loadModel(randomSmallDir);
    const noReg = expectCheckpointError(() =>
      validateCheckpointTensors({ ...config, useRegToken: false }, file.tensors),
    );
    expect(noReg.mismatched).toEqual(['shared.weight']);
    expect(noReg.message).toContain('shared.weight expected [1, 32], found [2, 32]');

    const deeper = expectCheckpointError(() => validateCheckpointTensors({ ...config, numLayers: 4 }, file.tensors));
    expect(deeper.missing).toHaveLength(13);
    expect(deeper.missing.every((n) => n.startsWith('encoder.block.3.'))).toBe(true);
    expect(deeper.message).toContain('(5 more)');

    const shallower = expectCheckpointError(() => validateCheckpointTensors({ ...config, numLayers: 2 }, file.tensors));
    expect(shallower.unexpected).toHaveLength(13);
    expect(shallower.missing).toEqual([]);

    const wider = expectCheckpointError(() => validateCheckpointTensors({ ...config, dModel: 48 }, file.tensors));
    expect(wider.mismatched.length).toBeGreaterThan(40);
    expect(wider.missing).toEqual([]);
    expect(wider.unexpected).toEqual([]);
  });
});

describe('randomChronos2Tensors', () => {
  const config = small();

  it('produces exactly the expected tensors, which validate', () => {
    const tensors = randomChronos2Tensors(config, 1);
    expect(new Map(tensors.map((t) => [t.name, t.shape]))).toEqual(expectedTensorShapes(config));
    for (const t of tensors) {
      expect(t.data.length).toBe(t.shape.reduce((a, d) => a * d, 1));
      expect(t.data.every(Number.isFinite)).toBe(true);
    }
    const file = SafetensorsFile.parse(writeSafetensors(tensors));
    expect(() => validateCheckpointTensors(config, file.tensors)).not.toThrow();
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = randomChronos2Tensors(config, 42);
    const b = randomChronos2Tensors(config, 42);
    const c = randomChronos2Tensors(config, 43);
    expect(writeSafetensors(a)).toEqual(writeSafetensors(b));
    expect(a[0].data).not.toEqual(c[0].data);
    // Each tensor has its own stream: adding layers leaves the others unchanged.
    const deeper = randomChronos2Tensors({ ...config, numLayers: 4 }, 42);
    const byName = new Map(deeper.map((t) => [t.name, t.data]));
    for (const t of a) expect(byName.get(t.name)).toEqual(t.data);
  });

  it('uses the documented scales (within sampling error)', () => {
    const big = small({ dModel: 128, dKv: 16, numHeads: 8, dFf: 256, numLayers: 1 });
    const tensors = new Map(randomChronos2Tensors(big, 3).map((t) => [t.name, t.data]));
    const stats = (name: string): { mean: number; std: number } => {
      const data = tensors.get(name) ?? new Float32Array(0);
      const mean = data.reduce((a, v) => a + v, 0) / data.length;
      const variance = data.reduce((a, v) => a + (v - mean) ** 2, 0) / data.length;
      return { mean, std: Math.sqrt(variance) };
    };
    const cases: Array<[string, number, number]> = [
      ['shared.weight', 0, 1],
      ['encoder.block.0.layer.0.self_attention.q.weight', 0, (128 * 16) ** -0.5],
      ['encoder.block.0.layer.0.self_attention.k.weight', 0, 128 ** -0.5],
      ['encoder.block.0.layer.1.self_attention.o.weight', 0, 128 ** -0.5],
      ['encoder.block.0.layer.2.mlp.wi.weight', 0, 128 ** -0.5],
      ['encoder.block.0.layer.2.mlp.wo.weight', 0, 256 ** -0.5],
      ['input_patch_embedding.hidden_layer.weight', 0, 48 ** -0.5],
      ['output_patch_embedding.residual_layer.weight', 0, 128 ** -0.5],
      ['encoder.final_layer_norm.weight', 1, 0.1],
    ];
    for (const [name, mean, std] of cases) {
      const got = stats(name);
      // Tolerances: a few standard errors for these sample sizes (≥ 128 values).
      expect(Math.abs(got.mean - mean), name).toBeLessThan(0.3 * std + 1e-9);
      expect(Math.abs(got.std / std - 1), name).toBeLessThan(0.2);
    }
  });

  it('offsets the output bias so that quantile levels come out ordered', () => {
    const bias = randomChronos2Tensors(config, 5).find((t) => t.name === 'output_patch_embedding.output_layer.bias');
    const p = config.patchSize;
    const means = config.quantiles.map((_, q) => {
      let sum = 0;
      for (let j = 0; j < p; j++) sum += bias?.data[q * p + j] ?? Number.NaN;
      return sum / p;
    });
    expect(means[0]).toBeCloseTo(0.6 * -2.3263, 0);
    expect(means[10]).toBeCloseTo(0, 0);
    for (let q = 1; q < means.length; q++) expect(means[q]).toBeGreaterThan(means[q - 1] - 0.1);
  });
});
