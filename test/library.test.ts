// The library facade (src/chronos2.ts) in Node on onnxruntime-web: a checkpoint with a LoRA adapter merged in
// (the golden j_lora_predict case), embeddings (the golden j_embed_list case), a LoRA repository from the stand-in hub,
// and an amazon/chronos-2-size checkpoint (seeded random weights) with a random LoRA adapter: loads and forecasts
// (that the adapter changes the model is shown on the golden cases, here and in test/model/lora.test.ts).
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Chronos2 } from '../src/chronos2';
import { parseChronos2ConfigText } from '../src/model/config';
import { randomLoraAdapter } from '../src/model/random-adapter';
import { compareArrays, type GoldenCase } from '../src/parity/golden-case';
import { mostSimilar, seriesVectors } from '../src/forecast';
import { addFixtureRepos, addLoraRepos, ensureBigCheckpoint, LORA_REPOS } from './support/hub-fixtures';
import { startHubServer, type TestHub } from './support/hub-server';

const small = path.resolve(__dirname, 'fixtures/chronos2/models/random-small');
const shared = path.resolve(__dirname, '../../shared/fixtures/chronos2');
const haveShared = existsSync(path.join(shared, 'models/random-small-lora/adapter_model.safetensors'));
const checkpoint = { configText: readFileSync(path.join(small, 'config.json'), 'utf8'), safetensors: new Uint8Array(readFileSync(path.join(small, 'model.safetensors'))) };
const golden = (name: string) => JSON.parse(readFileSync(path.join(shared, 'cases', `${name}.json`), 'utf8')) as GoldenCase;

let hub: TestHub;
beforeAll(async () => {
  hub = await startHubServer();
  await addFixtureRepos(hub);
  await addLoraRepos(hub);
});
afterAll(() => hub?.close());

describe.skipIf(!haveShared && process.env.CI !== 'true')('Chronos2 (library) on the golden cases', () => {
  it('a checkpoint plus a LoRA adapter forecasts like upstream merged model (j_lora_predict)', async () => {
    const lora = path.join(shared, 'models/random-small-lora');
    const model = await Chronos2.load(
      { ...checkpoint, adapter: { configText: readFileSync(path.join(lora, 'adapter_config.json'), 'utf8'), safetensors: new Uint8Array(readFileSync(path.join(lora, 'adapter_model.safetensors'))), name: 'random-small-lora' } },
      { ort },
    );
    expect(model.name).toBe('random-small-lora');
    const c = golden('j_lora_predict');
    const forecasts = await model.predict(c.inputs as number[][], { predictionLength: 24 });
    const expected = c.expected.predictions as unknown[];
    expect(forecasts).toHaveLength(expected.length);
    forecasts.forEach((f, i) => expect(compareArrays(`task ${i}`, f.values, (expected[i] as number[][][]).flat(2)).relError).toBeLessThanOrEqual(1e-5));
    await model.dispose();
  });

  it('embed() matches upstream embed (j_embed_list), and gives one vector per series to rank by similarity', async () => {
    const model = await Chronos2.load(checkpoint, { ort });
    const c = golden('j_embed_list');
    const embeddings = await model.embed(c.inputs as number[][]);
    const expected = (c.expected.embeddings as number[][][][]).map((t) => t.flat(2));
    embeddings.forEach((e, i) => {
      expect([e.numVariates, e.numTokens, e.dModel]).toEqual([1, 34, 32]);
      const maxAbs = Math.max(...expected[i].map(Math.abs));
      const err = Math.max(...Array.from(e.values, (v, j) => Math.abs(v - expected[i][j])));
      expect(err / maxAbs).toBeLessThanOrEqual(1e-5);
    });
    const vectors = embeddings.flatMap((e) => seriesVectors(e));
    expect(vectors).toHaveLength(3);
    expect(mostSimilar(vectors, 0).map((r) => r.index).sort()).toEqual([1, 2]);
    await model.dispose();
  });
});

describe('Chronos2 (library) sources', () => {
  it('loads a LoRA repository from a hub (with its base) and forecasts', async () => {
    const model = await Chronos2.load({ hub: { hubUrl: hub.url, repo: LORA_REPOS.first } }, { ort });
    expect(model.name).toBe(LORA_REPOS.first);
    const [forecast] = await model.predict([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]], { predictionLength: 12 });
    expect(forecast.values.every(Number.isFinite)).toBe(true);
    await model.dispose();
  });

  it('an amazon/chronos-2-size checkpoint (120M parameters, seeded random) with a random LoRA adapter loads and forecasts', async () => {
    const dir = await ensureBigCheckpoint();
    const configText = readFileSync(path.join(dir, 'config.json'), 'utf8');
    const config = parseChronos2ConfigText(configText);
    const { adapterConfig, safetensors } = randomLoraAdapter(config, { r: 8, seed: 11 });
    const base = { configText, safetensors: new Uint8Array(readFileSync(path.join(dir, 'model.safetensors'))) };
    const adapted = await Chronos2.load({ ...base, adapter: { configText: JSON.stringify(adapterConfig), safetensors, name: 'chronos-2-lora' } }, { ort });
    expect(adapted.config).toMatchObject({ dModel: 768, numLayers: 12, contextLength: 8192 });
    const series = Array.from({ length: 512 }, (_, t) => 100 + 10 * Math.sin((2 * Math.PI * t) / 24));
    const [forecast] = await adapted.predict([series], { predictionLength: 64 });
    await adapted.dispose();
    expect(forecast.values).toHaveLength(21 * 64);
    expect(forecast.values.every(Number.isFinite)).toBe(true);
  }, 240_000);
});
