// The graph variants the converter emits — onnxruntime's fused kernels (default, optionally with attention
// biases broadcast over heads) and standard opset-17 ops only — reproduce the reference forward pass, and name
// their weights after the checkpoint.
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { convertCheckpoint } from '../../src/model/convert';
import { onnx } from '../../src/model/onnx/proto';
import { OrtModelRunner, modelInfoFromConfig } from '../../src/runtime/ort-runner';
import { runGoldenCase, type GoldenCase } from '../../src/parity/golden-case';

const fixtures = path.resolve(__dirname, '../fixtures/chronos2');
const modelDir = path.join(fixtures, 'models/random-small');
const files = {
  configText: readFileSync(path.join(modelDir, 'config.json'), 'utf8'),
  safetensors: new Uint8Array(readFileSync(path.join(modelDir, 'model.safetensors'))),
};
const forwardCases = readdirSync(path.join(fixtures, 'cases')).filter((f) => f.startsWith('a_forward_random_small'));

describe.each([
  { fused: true, broadcastAttentionBias: false, label: 'fused kernels' },
  { fused: true, broadcastAttentionBias: true, label: 'fused kernels, attention biases broadcast over heads' },
  { fused: false, broadcastAttentionBias: false, label: 'standard ONNX ops' },
])('graph with $label', ({ fused, broadcastAttentionBias }) => {
  it('matches every random-small forward case within 1e-5', async () => {
    const converted = await convertCheckpoint(files, { name: 'random-small', fused, broadcastAttentionBias });
    const metadata = onnx.ModelProto.decode(converted.onnx).metadataProps!.find((p) => p.key === 'attention_bias')?.value;
    expect(metadata).toBe(broadcastAttentionBias ? 'broadcast' : undefined);
    const runner = await OrtModelRunner.create(ort, converted.onnx, modelInfoFromConfig(converted.config));
    expect(forwardCases.length).toBeGreaterThan(0);
    for (const file of forwardCases) {
      const c = JSON.parse(readFileSync(path.join(fixtures, 'cases', file), 'utf8')) as GoldenCase;
      const result = await runGoldenCase(runner, file, c, 1e-5);
      expect(result.worst, file).toBeLessThanOrEqual(1e-5);
    }
    await runner.dispose();
  });

  it('uses only the expected operator domains and names initializers after checkpoint parameters', async () => {
    const converted = await convertCheckpoint(files, { name: 'random-small', fused });
    const model = onnx.ModelProto.decode(converted.onnx);
    const domains = new Set(model.graph!.node!.map((n) => n.domain || ''));
    expect([...domains].sort()).toEqual(fused ? ['', 'com.microsoft'] : ['']);
    const initializers = new Set(model.graph!.initializer!.map((t) => t.name));
    for (const name of ['encoder.block.2.layer.1.self_attention.q.weight', 'encoder.final_layer_norm.weight', 'shared.weight', 'output_patch_embedding.output_layer.bias']) {
      expect(initializers.has(name), name).toBe(true);
    }
    expect(converted.manifest.parameterCount).toBe(79_072);
  });
});
