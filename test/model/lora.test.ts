// LoRA adapters merged at conversion: the merge changes the model exactly as upstream's merged model (the golden
// j_lora_* cases pass with the adapter and fail without it), a base read back from its converted ONNX gives the same
// model as its safetensors, and every malformed or unsupported adapter is refused with an error naming the field or
// tensor at fault.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { convertCheckpoint, convertWeights } from '../../src/model/convert';
import { parseChronos2ConfigText } from '../../src/model/config';
import { AdapterError, parseLoraAdapter, parseLoraConfigText } from '../../src/model/lora';
import { weightsFromOnnx } from '../../src/model/onnx/weights-from-onnx';
import { randomLoraAdapter } from '../../src/model/random-adapter';
import { makeChronos2ConfigJson } from '../../src/model/random-checkpoint';
import { SafetensorsError, SafetensorsFile } from '../../src/model/safetensors';
import { convertCheckpointDir } from '../../src/node/model-files';
import { runGoldenCase, type GoldenCase } from '../../src/parity/golden-case';
import { OrtModelRunner, modelInfoFromConfig } from '../../src/runtime/ort-runner';

const baseDir = path.resolve(__dirname, '../fixtures/chronos2/models/random-small');
const shared = path.resolve(__dirname, '../../../shared/fixtures/chronos2');
const loraDir = path.join(shared, 'models/random-small-lora');
const haveShared = existsSync(path.join(loraDir, 'adapter_model.safetensors'));
const base = {
  configText: readFileSync(path.join(baseDir, 'config.json'), 'utf8'),
  safetensors: new Uint8Array(readFileSync(path.join(baseDir, 'model.safetensors'))),
};
const config = parseChronos2ConfigText(base.configText);
const random = randomLoraAdapter(config, { r: 4, baseModel: 'random-small', seed: 3 });
const adapterFiles = (overrides: Record<string, unknown> = {}, safetensors = random.safetensors) => ({
  configText: JSON.stringify({ ...random.adapterConfig, ...overrides }),
  safetensors,
  name: 'my-adapter',
});

function adapterError(run: () => unknown): AdapterError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(AdapterError);
    return e as AdapterError;
  }
  throw new Error('no error thrown');
}

describe.skipIf(!haveShared && process.env.CI !== 'true')('the upstream LoRA fixture (random-small-lora)', () => {
  it('matches the golden j_lora_* cases merged, and is far from them without the adapter', async () => {
    const merged = await convertCheckpointDir(loraDir);
    const plain = await convertCheckpointDir(baseDir);
    const runners = await Promise.all([merged, plain].map((m) => OrtModelRunner.create(ort, m.onnx, modelInfoFromConfig(m.config))));
    for (const name of ['j_lora_forward', 'j_lora_predict']) {
      const c = JSON.parse(readFileSync(path.join(shared, 'cases', `${name}.json`), 'utf8')) as GoldenCase;
      const [withAdapter, without] = await Promise.all(runners.map((r) => runGoldenCase(r, name, c)));
      expect(withAdapter.worst, name).toBeLessThanOrEqual(1e-5);
      expect(without.worst, name).toBeGreaterThan(1e-2);
    }
    expect(merged.manifest.source).toContain('+ LoRA');
  });
});

describe('merging', () => {
  it('reads a converted float32 base back exactly, so merging from its ONNX gives the same model as from safetensors', async () => {
    const converted = await convertCheckpoint(base, { name: 'random-small' });
    const fromOnnx = weightsFromOnnx(converted.onnx, config);
    const file = SafetensorsFile.parse(base.safetensors);
    for (const name of file.tensors.keys()) expect(fromOnnx(name), name).toEqual(file.getFloat32(name));
    const viaSafetensors = await convertCheckpoint({ ...base, adapter: adapterFiles() }, { name: 'merged' });
    const viaOnnx = await convertWeights(config, fromOnnx, adapterFiles(), { name: 'merged' });
    expect(viaOnnx.manifest.sha256).toBe(viaSafetensors.manifest.sha256);
    expect(viaOnnx.manifest.sha256).not.toBe((await convertCheckpoint(base, { name: 'merged' })).manifest.sha256);
  });

  it('computes W + (alpha / r)·B·A for exactly the targeted layers', () => {
    const adapter = parseLoraAdapter(adapterFiles({ target_modules: ['mlp.wi'], lora_alpha: 12 }, randomLoraAdapter(config, { r: 4, targetModules: ['mlp.wi'] }).safetensors), config);
    expect([...adapter.layers.keys()]).toEqual(['encoder.block.0.layer.2.mlp.wi', 'encoder.block.1.layer.2.mlp.wi', 'encoder.block.2.layer.2.mlp.wi']);
    expect(adapter.config.scaling).toBe(3);
  });

  it('refuses a base stored with float16 weights', async () => {
    const fp16 = await convertCheckpoint(base, { name: 'random-small', weightStorage: 'float16' });
    expect(() => weightsFromOnnx(fp16.onnx, config)).toThrow(/float16 weights; an adapter needs the exact float32 weights/);
  });
});

describe('bad adapters', () => {
  it.each([
    ['use_dora', true, /DoRA/],
    ['use_rslora', true, /rank-stabilised/],
    ['rank_pattern', { 'self_attention.q': 8 }, /per-layer ranks/],
    ['alpha_pattern', { 'self_attention.q': 8 }, /per-layer alphas/],
    ['fan_in_fan_out', true, /fan_in_fan_out/],
    ['modules_to_save', ['output_patch_embedding'], /modules_to_save/],
    ['bias', 'lora_only', /bias "none"/],
    ['layers_to_transform', [0, 1], /layers_to_transform/],
    ['peft_type', 'IA3', /only LoRA adapters/],
    ['r', 0, /integer rank/],
  ])('%s = %j is refused naming the field', (field, value, message) => {
    const e = adapterError(() => parseLoraAdapter(adapterFiles({ [field]: value }), config));
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
    expect(e.message).toContain(`my-adapter/adapter_config.json: ${field}`);
  });

  it('an unknown target module', () => {
    const e = adapterError(() => parseLoraAdapter(adapterFiles({ target_modules: ['self_attention.q', 'lm_head'] }), config));
    expect(e.field).toBe('target_modules');
    expect(e.message).toMatch(/target_modules names "lm_head", which is not a Linear layer of Chronos-2/);
    expect(adapterError(() => parseLoraAdapter(adapterFiles({ target_modules: ['layer_norm'] }), config)).field).toBe('target_modules');
  });

  it('a tensor for a module the model does not have', () => {
    const extra = randomLoraAdapter({ ...config, numLayers: 4 }, { r: 4 }).safetensors;
    const e = adapterError(() => parseLoraAdapter(adapterFiles({}, extra), config));
    expect(e.field).toMatch(/^base_model\.model\.encoder\.block\.3\./);
    expect(e.message).toMatch(/fit no Linear layer of Chronos-2/);
  });

  it('an adapter trained for a base of another size (shape mismatch)', () => {
    const wider = parseChronos2ConfigText(JSON.stringify(makeChronos2ConfigJson({ dModel: 64 })));
    const e = adapterError(() => parseLoraAdapter(adapterFiles({}, randomLoraAdapter(wider, { r: 4 }).safetensors), config, 'random-small'));
    expect(e.message).toMatch(/has shape \[4, 64\], but random-small's input_patch_embedding|has shape \[4, 64\], but random-small's encoder\.block\.0\.layer\.0\.self_attention\.q is \[32, 32\]/);
    expect(e.message).toMatch(/trained for a base model of another size/);
  });

  it('a missing factor and a truncated file', () => {
    const file = SafetensorsFile.parse(random.safetensors);
    expect(file.tensors.size).toBeGreaterThan(2);
    const truncated = random.safetensors.slice(0, Math.floor(random.safetensors.length * 0.7));
    expect(() => parseLoraAdapter(adapterFiles({}, truncated), config)).toThrow(SafetensorsError);
    const e = adapterError(() => parseLoraAdapter(adapterFiles({ target_modules: [...(random.adapterConfig.target_modules as string[]), 'mlp.wo'] }), config));
    expect(e.message).toMatch(/mlp\.wo\.lora_A\.weight is missing/);
  });

  it('a config that is not JSON or not a Chronos2Model adapter', () => {
    expect(adapterError(() => parseLoraConfigText('{"r": 4,')).field).toBe('(root)');
    expect(adapterError(() => parseLoraConfigText(JSON.stringify({ ...random.adapterConfig, auto_mapping: { base_model_class: 'LlamaForCausalLM' } }))).field).toBe(
      'auto_mapping.base_model_class',
    );
  });

  it('an adapter folder whose base is not beside it says where it looked', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chronos-lora-'));
    try {
      const folder = path.join(dir, 'my-adapter');
      cpSync(baseDir, path.join(dir, 'elsewhere'), { recursive: true });
      const files = adapterFiles({ base_model_name_or_path: 'random-small' });
      await import('node:fs/promises').then((fs) => fs.mkdir(folder));
      writeFileSync(path.join(folder, 'adapter_config.json'), files.configText);
      writeFileSync(path.join(folder, 'adapter_model.safetensors'), files.safetensors);
      await expect(convertCheckpointDir(folder)).rejects.toThrow(/trained on "random-small" \(base_model_name_or_path\), and no checkpoint folder of that name/);
      const merged = await convertCheckpointDir(folder, undefined, { base: path.join(dir, 'elsewhere') });
      expect(merged.manifest.parameterCount).toBe(79_072);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
