// LoRA adapters from a hub, against the stand-in hub on 127.0.0.1 and a model cache on real files: a repository
// holding an adapter brings its base (downloaded and cached once for all its adapters), the merged model equals a
// local merge, a second adapter of the same base downloads no base weights, a reload is served from the cache, and
// every bad adapter gives a clear error with nothing cached (and, where the adapter alone shows the fault, no base
// weights downloaded).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelCache } from '../../src/hub/cache';
import { prepareHubModel, type PrepareDeps } from '../../src/hub/hub-model';
import { prepareLocalModel } from '../../src/hub/local-files';
import { SafetensorsFile } from '../../src/model/safetensors';
import { expectedTensorShapes } from '../../src/model/checkpoint-names';
import { convertCheckpoint } from '../../src/model/convert';
import { weightsFromOnnx } from '../../src/model/onnx/weights-from-onnx';
import { fsCacheBackend } from '../../src/node/fs-cache-backend';
import { addFixtureRepos, addLoraRepos, LORA_REPOS, loraRepoFiles, REPOS, SMALL_CHECKPOINT } from '../support/hub-fixtures';
import { startHubServer, type TestHub } from '../support/hub-server';

let hub: TestHub;
let cacheDir: string;
let cache: ModelCache;

beforeAll(async () => {
  hub = await startHubServer();
  await addFixtureRepos(hub);
  await addLoraRepos(hub);
});

afterAll(async () => {
  await hub?.close();
});

beforeEach(() => {
  cacheDir = mkdtempSync(path.join(tmpdir(), 'chronos-lora-cache-'));
  cache = new ModelCache(fsCacheBackend(cacheDir));
  hub.requests.length = 0;
  return () => rmSync(cacheDir, { recursive: true, force: true });
});

const deps = (): PrepareDeps => ({ fetch: globalThis.fetch.bind(globalThis), cache });
const paths = () => hub.requests.map((r) => `${r.method} ${r.path.startsWith('/cdn/') ? '/cdn/…' : r.path}`);
const baseWeightsRequests = () => hub.requests.filter((r) => r.path === `/${REPOS.small}/resolve/main/model.safetensors` && r.method === 'GET');

describe('an adapter repository', () => {
  it('downloads the adapter and its base, merges like a local merge, caches both; a second adapter reuses the base', async () => {
    const first = await prepareHubModel({ hubUrl: hub.url, repo: LORA_REPOS.first }, deps());
    const files = loraRepoFiles({ seed: 1 });
    const local = await convertCheckpoint(
      {
        configText: readFileSync(path.join(SMALL_CHECKPOINT, 'config.json'), 'utf8'),
        safetensors: new Uint8Array(readFileSync(path.join(SMALL_CHECKPOINT, 'model.safetensors'))),
        adapter: { configText: new TextDecoder().decode(files['adapter_config.json']), safetensors: files['adapter_model.safetensors'] },
      },
      { name: LORA_REPOS.first },
    );
    // The same merged weights as the local merge (the ONNX files differ only in their name/source metadata).
    const [hubWeights, localWeights] = [first, local].map((m) => weightsFromOnnx(m.onnx, m.manifest.config));
    for (const name of expectedTensorShapes(local.config).keys()) expect(hubWeights(name), name).toEqual(localWeights(name));
    expect(first.fromCache).toBe(false);
    expect(first.manifest.source).toMatch(new RegExp(`${LORA_REPOS.first}@[0-9a-f]{40} \\(LoRA\\) on ${hub.url}/${REPOS.small}@[0-9a-f]{40}`));
    expect(paths()).toEqual([
      `GET /${LORA_REPOS.first}/resolve/main/config.json`,
      `GET /${LORA_REPOS.first}/resolve/main/adapter_config.json`,
      `GET /${LORA_REPOS.first}/resolve/main/adapter_model.safetensors`,
      'GET /cdn/…',
      `GET /${REPOS.small}/resolve/main/config.json`,
      `GET /${REPOS.small}/resolve/main/config.json`,
      `GET /${REPOS.small}/resolve/main/model.safetensors`,
      'GET /cdn/…',
    ]);
    const listed = await cache.list();
    expect(listed.map((c) => c.name).sort()).toEqual([LORA_REPOS.first, REPOS.small].sort());
    const entry = listed.find((c) => c.name === LORA_REPOS.first)!;
    expect(entry.origin).toMatchObject({ kind: 'hub', repo: LORA_REPOS.first, base: { repo: REPOS.small, revision: 'main' } });

    hub.requests.length = 0;
    const second = await prepareHubModel({ hubUrl: hub.url, repo: LORA_REPOS.second }, deps());
    expect(second.manifest.sha256).not.toBe(first.manifest.sha256);
    expect(baseWeightsRequests()).toEqual([]);
    expect(hub.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/cdn/'))).toHaveLength(1); // the adapter only
    expect((await cache.list()).map((c) => c.name).sort()).toEqual([LORA_REPOS.first, LORA_REPOS.second, REPOS.small].sort());

    hub.requests.length = 0;
    const again = await prepareHubModel({ hubUrl: hub.url, repo: LORA_REPOS.first }, deps());
    expect(again.fromCache).toBe(true);
    expect(again.manifest.sha256).toBe(first.manifest.sha256);
    expect(hub.requests.every((r) => r.method === 'HEAD')).toBe(true);
  });

  it('an explicit base overrides base_model_name_or_path', async () => {
    const model = await prepareHubModel({ hubUrl: hub.url, repo: LORA_REPOS.missingBase, base: { repo: REPOS.small } }, deps());
    expect(model.manifest.parameterCount).toBe(79_072);
  });
});

describe('bad adapters: a clear error, nothing cached', () => {
  const cases: Array<{ title: string; repo: string; name: string; message: RegExp; baseWeights: boolean }> = [
    { title: 'missing base', repo: LORA_REPOS.missingBase, name: 'RepoNotFoundError', message: /test\/lora-of-missing-base is a LoRA adapter of test\/deleted-base \(base_model_name_or_path\), and its base cannot be found: Repository test\/deleted-base was not found/, baseWeights: false },
    { title: 'base of another architecture', repo: LORA_REPOS.otherArchitecture, name: 'ConfigError', message: /test\/bert-base is not a Chronos-2 model: its config\.json describes a BertModel/, baseWeights: false },
    { title: 'shape mismatch', repo: LORA_REPOS.shapeMismatch, name: 'AdapterError', message: /has shape \[4, 64\], but test\/chronos-2-small's .* is \[\d+, \d+\] and r is 4.*trained for a base model of another size/, baseWeights: false },
    { title: 'unknown module', repo: LORA_REPOS.unknownModule, name: 'AdapterError', message: /tensors? that fit no Linear layer of Chronos-2: base_model\.model\.encoder\.block\.3\./, baseWeights: false },
    { title: 'truncated adapter file', repo: LORA_REPOS.truncated, name: 'SafetensorsError', message: /adapter_model\.safetensors.*truncated/, baseWeights: false },
    { title: 'an unsupported peft feature (DoRA)', repo: LORA_REPOS.dora, name: 'AdapterError', message: /adapter_config\.json: use_dora is true: DoRA/, baseWeights: false },
  ];
  for (const c of cases) {
    it(c.title, async () => {
      const error = await prepareHubModel({ hubUrl: hub.url, repo: c.repo }, deps()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe(c.name);
      expect((error as Error).message).toMatch(c.message);
      expect(await cache.list()).toEqual([]);
      expect(await fsCacheBackend(cacheDir).list()).toEqual([]);
      expect(baseWeightsRequests().length > 0).toBe(c.baseWeights);
    });
  }
});

describe('an adapter from local files', () => {
  const adapter = loraRepoFiles({ seed: 1 });
  const adapterFiles = () => [new File([adapter['adapter_config.json']], 'adapter_config.json'), new File([adapter['adapter_model.safetensors']], 'adapter_model.safetensors')];
  const baseFiles = () => [
    new File([readFileSync(path.join(SMALL_CHECKPOINT, 'config.json'))], 'config.json'),
    new File([readFileSync(path.join(SMALL_CHECKPOINT, 'model.safetensors'))], 'model.safetensors'),
  ];

  it('with its base picked too, with its base from the cache, and with its base from the hub: the same merged weights', async () => {
    const withBase = await prepareLocalModel([...adapterFiles(), ...baseFiles()], 'float32', { cache });
    expect(hub.requests).toEqual([]);
    const fromHub = await prepareLocalModel(adapterFiles(), 'float32', { cache, fetch: globalThis.fetch.bind(globalThis), hubUrl: hub.url });
    expect(baseWeightsRequests()).toHaveLength(1);
    hub.requests.length = 0;
    const fromCache = await prepareLocalModel(adapterFiles(), 'float32', { cache });
    expect(hub.requests).toEqual([]);
    const read = (m: { onnx: Uint8Array; manifest: { config: Parameters<typeof weightsFromOnnx>[1] } }) => weightsFromOnnx(m.onnx, m.manifest.config);
    for (const name of ['encoder.block.0.layer.0.self_attention.q.weight', 'output_patch_embedding.output_layer.weight', 'encoder.block.2.layer.2.mlp.wo.weight']) {
      expect(read(fromHub)(name), name).toEqual(read(withBase)(name));
      expect(read(fromCache)(name), name).toEqual(read(withBase)(name));
    }
    expect(read(withBase)('encoder.block.0.layer.0.self_attention.q.weight')).not.toEqual(
      SafetensorsFile.parse(new Uint8Array(readFileSync(path.join(SMALL_CHECKPOINT, 'model.safetensors')))).getFloat32('encoder.block.0.layer.0.self_attention.q.weight'),
    );
    expect((await cache.list()).map((c) => c.name).sort()).toEqual(['local adapter', 'local adapter', REPOS.small].sort());
  });

  it('refuses an adapter whose base is neither picked, cached nor on a hub; and one half of an adapter; nothing cached', async () => {
    await expect(prepareLocalModel(adapterFiles(), 'float32', { cache })).rejects.toThrow(
      /local adapter is a LoRA adapter of "test\/chronos-2-small" \(base_model_name_or_path\), which is neither cached in this browser nor a hub repository/,
    );
    await expect(prepareLocalModel(adapterFiles().slice(0, 1), 'float32', { cache })).rejects.toThrow(/needs both adapter_config\.json and adapter_model\.safetensors/);
    const wider = loraRepoFiles({ seed: 5, wider: true });
    await expect(
      prepareLocalModel([new File([wider['adapter_config.json']], 'adapter_config.json'), new File([wider['adapter_model.safetensors']], 'adapter_model.safetensors'), ...baseFiles()], 'float32', { cache }),
    ).rejects.toThrow(/trained for a base model of another size/);
    expect(await fsCacheBackend(cacheDir).list()).toEqual([]);
  });
});
