// Checks that config.json validation accepts the released layout, applies upstream defaults and names the
// offending field of every malformed config.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseChronos2Config, parseChronos2ConfigText, type Chronos2Config } from '../../src/model/config';
import { makeChronos2ConfigJson } from '../../src/model/random-checkpoint';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const randomSmallDir = path.join(repoRoot, 'test/fixtures/chronos2/models/random-small');

type Json = Record<string, unknown>;

function baseJson(): Json {
  return makeChronos2ConfigJson();
}

function withChronos(patch: Json, remove: string[] = []): Json {
  const json = baseJson();
  const chronos = { ...(json.chronos_config as Json), ...patch };
  for (const key of remove) delete chronos[key];
  json.chronos_config = chronos;
  return json;
}

/** Asserts a ConfigError whose field is `field` and whose message names it (and `alsoMentions`). */
function expectConfigError(fn: () => unknown, field: string, ...alsoMentions: string[]): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const err = caught as ConfigError;
  expect(err.name).toBe('ConfigError');
  expect(err.field).toBe(field);
  if (field !== '(root)') expect(err.message).toContain(field);
  for (const text of alsoMentions) expect(err.message).toContain(text);
  return err;
}

describe('parseChronos2Config: released configs', () => {
  it('reads the random-small fixture', () => {
    const text = readFileSync(path.join(randomSmallDir, 'config.json'), 'utf8');
    const config = parseChronos2ConfigText(text);
    expect(config).toEqual<Chronos2Config>({
      dModel: 32,
      dKv: 8,
      numHeads: 4,
      dFf: 64,
      numLayers: 3,
      denseActFn: 'relu',
      layerNormEpsilon: 1e-6,
      ropeTheta: 10000,
      contextLength: 512,
      patchSize: 16,
      maxOutputPatches: 8,
      quantiles: [
        0.01, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95,
        0.99,
      ],
      timeEncodingScale: 512,
      useArcsinh: true,
      useRegToken: true,
    });
  });

  it('round-trips makeChronos2ConfigJson overrides', () => {
    const config = parseChronos2Config(
      makeChronos2ConfigJson({ dModel: 48, numLayers: 2, quantiles: [0.1, 0.5, 0.9], useRegToken: false }),
    );
    expect(config.dModel).toBe(48);
    expect(config.numLayers).toBe(2);
    expect(config.quantiles).toEqual([0.1, 0.5, 0.9]);
    expect(config.useRegToken).toBe(false);
  });
});

describe('parseChronos2Config: defaults', () => {
  const minimal = (): Json => ({
    chronos_config: {
      context_length: 2048,
      input_patch_size: 16,
      input_patch_stride: 16,
      output_patch_size: 16,
      quantiles: [0.1, 0.5, 0.9],
    },
  });

  it('applies the Chronos2CoreConfig and Chronos2ForecastingConfig defaults', () => {
    const config = parseChronos2Config(minimal());
    expect(config).toMatchObject({
      dModel: 512,
      dKv: 64,
      dFf: 2048,
      numLayers: 6,
      numHeads: 8,
      layerNormEpsilon: 1e-6,
      ropeTheta: 10000,
      denseActFn: 'relu',
      maxOutputPatches: 1,
      useArcsinh: false,
      useRegToken: false,
      timeEncodingScale: 2048,
      patchSize: 16,
    });
  });

  it('derives dense_act_fn from feed_forward_proj when absent', () => {
    expect(parseChronos2Config({ ...minimal(), feed_forward_proj: 'gelu_new' }).denseActFn).toBe('gelu_new');
    expect(parseChronos2Config({ ...minimal(), feed_forward_proj: 'dense-silu' }).denseActFn).toBe('silu');
  });

  it('prefers an explicit dense_act_fn', () => {
    const json = { ...minimal(), feed_forward_proj: 'relu', dense_act_fn: 'gelu_pytorch_tanh' };
    expect(parseChronos2Config(json).denseActFn).toBe('gelu_pytorch_tanh');
  });

  it('treats a null time_encoding_scale as absent and keeps a given one', () => {
    expect(parseChronos2Config(withChronos({ time_encoding_scale: null })).timeEncodingScale).toBe(512);
    expect(parseChronos2Config(withChronos({ time_encoding_scale: 1000 })).timeEncodingScale).toBe(1000);
  });

  it('accepts use_reg_token false', () => {
    expect(parseChronos2Config(withChronos({ use_reg_token: false })).useRegToken).toBe(false);
  });

  it('ignores inherited properties of the input object', () => {
    const proto = { d_model: 'bad' };
    const json = Object.assign(Object.create(proto) as Json, baseJson());
    delete json.d_model;
    expect(parseChronos2Config(json).dModel).toBe(512);
  });
});

describe('parseChronos2Config: rejects malformed configs', () => {
  it('requires chronos_config', () => {
    const json = baseJson();
    delete json.chronos_config;
    expectConfigError(() => parseChronos2Config(json), 'chronos_config', 'missing');
    expectConfigError(() => parseChronos2Config({ ...baseJson(), chronos_config: [] }), 'chronos_config');
  });

  it.each([
    ['d_model', Number.NaN, 'NaN'],
    ['d_model', Number.POSITIVE_INFINITY, 'Infinity'],
    ['d_model', '768', '"768"'],
    ['d_kv', -64, '-64'],
    ['d_kv', 7, '7'], // odd: RoPE rotates pairs
    ['num_heads', 0, '0'],
    ['d_ff', 2.5, '2.5'],
    ['num_layers', null, 'null'],
    ['num_layers', 2 ** 53, String(2 ** 53)],
  ])('top-level %s = %s', (key, value, shown) => {
    expectConfigError(() => parseChronos2Config({ ...baseJson(), [key]: value }), key, `(${shown})`);
  });

  it.each([
    ['context_length', Number.NaN],
    ['context_length', '512'],
    ['context_length', -1],
    ['max_output_patches', 1.5],
    ['max_output_patches', Number.POSITIVE_INFINITY],
    ['time_encoding_scale', 0],
    ['time_encoding_scale', 'auto'],
    ['use_arcsinh', 'true'],
    ['use_reg_token', 1],
  ])('chronos_config.%s = %s', (key, value) => {
    expectConfigError(() => parseChronos2Config(withChronos({ [key]: value })), `chronos_config.${key}`);
  });

  it.each(['context_length', 'input_patch_size', 'output_patch_size', 'input_patch_stride', 'quantiles'])(
    'requires chronos_config.%s',
    (key) => {
      expectConfigError(() => parseChronos2Config(withChronos({}, [key])), `chronos_config.${key}`, 'required');
    },
  );

  it.each([
    ['layer_norm_epsilon', -1e-6],
    ['layer_norm_epsilon', Number.NaN],
    ['rope_theta', 0],
    ['rope_theta', Number.POSITIVE_INFINITY],
  ])('%s = %s', (key, value) => {
    expectConfigError(() => parseChronos2Config({ ...baseJson(), [key]: value }), key);
  });

  it('rejects unequal input and output patch sizes', () => {
    const err = expectConfigError(
      () => parseChronos2Config(withChronos({ input_patch_size: 16, input_patch_stride: 16, output_patch_size: 32 })),
      'chronos_config.input_patch_size',
    );
    expect(err.message).toBe(
      'config.json: chronos_config.input_patch_size (16) must equal chronos_config.output_patch_size (32): ' +
        'Chronos-2 requires equal input and output patch sizes',
    );
  });

  it('rejects a stride different from the patch size', () => {
    expectConfigError(
      () => parseChronos2Config(withChronos({ input_patch_stride: 8 })),
      'chronos_config.input_patch_stride',
      '(8)',
      '16',
    );
  });

  it('rejects gated activations', () => {
    expectConfigError(
      () => parseChronos2Config({ ...baseJson(), feed_forward_proj: 'gated-gelu', dense_act_fn: undefined }),
      'feed_forward_proj',
      'gated-gelu',
    );
    expectConfigError(() => parseChronos2Config({ ...baseJson(), is_gated_act: true }), 'is_gated_act');
  });

  it('rejects unknown activations, naming dense_act_fn', () => {
    expectConfigError(() => parseChronos2Config({ ...baseJson(), dense_act_fn: 'mish' }), 'dense_act_fn', '"mish"');
    const json = baseJson();
    delete json.dense_act_fn;
    json.feed_forward_proj = 'softplus';
    expectConfigError(() => parseChronos2Config(json), 'dense_act_fn', 'softplus', 'feed_forward_proj');
    expectConfigError(() => parseChronos2Config({ ...baseJson(), dense_act_fn: 3 }), 'dense_act_fn');
  });

  it.each<[string, unknown, string]>([
    ['empty', [], '[]'],
    ['not an array', 0.5, '0.5'],
    ['zero', [0, 0.5], '[0] = 0'],
    ['one', [0.5, 1], '[1] = 1'],
    ['NaN', [0.1, Number.NaN], '[1] = NaN'],
    ['string', [0.1, '0.5'], '[1] = "0.5"'],
    ['decreasing', [0.1, 0.9, 0.5], '[1] = 0.9 and [2] = 0.5'],
    ['repeated', [0.1, 0.5, 0.5], 'strictly increasing'],
  ])('rejects quantiles: %s', (_label, quantiles, mention) => {
    expectConfigError(
      () => parseChronos2Config(withChronos({ quantiles })),
      'chronos_config.quantiles',
      mention,
    );
  });

  it('rejects unknown chronos_config fields, as upstream does', () => {
    expectConfigError(
      () => parseChronos2Config(withChronos({ prediction_length: 64 })),
      'chronos_config.prediction_length',
      'not a known field',
    );
  });

  it('rejects a non-object document', () => {
    for (const doc of [null, [], 'config', 42]) {
      expectConfigError(() => parseChronos2Config(doc), '(root)', 'config.json');
    }
  });

  it('names the source file in messages', () => {
    const err = expectConfigError(
      () => parseChronos2Config({ ...baseJson(), d_model: -1 }, 'models/x/config.json'),
      'd_model',
    );
    expect(err.message.startsWith('models/x/config.json: d_model (-1)')).toBe(true);
  });
});

describe('parseChronos2ConfigText', () => {
  it('reports invalid JSON as a ConfigError', () => {
    expectConfigError(() => parseChronos2ConfigText('{"d_model": 32,'), '(root)', 'not valid JSON');
    // Python's json writes NaN, which is not JSON.
    expectConfigError(() => parseChronos2ConfigText('{"d_model": NaN}'), '(root)', 'not valid JSON');
  });

  it('refuses texts over 1 MiB before parsing them', () => {
    const huge = `{"pad": "${'x'.repeat(1 << 20)}"}`;
    expectConfigError(() => parseChronos2ConfigText(huge, 'big.json'), '(root)', 'big.json', 'too large');
  });

  it('does not let "__proto__" in the JSON change anything', () => {
    const text = JSON.stringify(baseJson()).replace('{', '{"__proto__": {"d_model": 7},');
    const config = parseChronos2ConfigText(text);
    expect(config.dModel).toBe(32);
    expect(({} as Json).d_model).toBeUndefined();
  });
});
