// The repositories the stand-in hub serves in unit and browser tests: the random-small fixture checkpoint as a
// healthy repository, one repository per fault (gated, dropped connection, truncated file, corrupted header,
// a BERT config, an impossible size), and on request a generated checkpoint of amazon/chronos-2's exact size
// (120M parameters, random weights), written once into .cache/ and reused.
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseChronos2Config } from '../../src/model/config';
import { defaultEntry, parseRegistry } from '../../src/model/registry';
import { randomLoraAdapter } from '../../src/model/random-adapter';
import { CHRONOS_2_BASE_SHAPE, makeChronos2ConfigJson, randomChronos2Tensors, writeSafetensors } from '../../src/model/random-checkpoint';
import type { HubRepoInfo, TestHub } from './hub-server';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The random-small checkpoint fixture (config.json + model.safetensors). */
export const SMALL_CHECKPOINT = path.join(ROOT, 'test/fixtures/chronos2/models/random-small');
const SMALL_CONFIG = path.join(SMALL_CHECKPOINT, 'config.json');
const SMALL_WEIGHTS = path.join(SMALL_CHECKPOINT, 'model.safetensors');
/** Where the generated amazon/chronos-2-size checkpoint is kept between runs. */
export const BIG_CHECKPOINT = path.join(ROOT, '.cache/hub-fixtures/chronos-2-random');

/** Repository ids of the fixtures. */
export const REPOS = {
  small: 'test/chronos-2-small',
  gated: 'test/gated-chronos-2',
  dropped: 'test/flaky-chronos-2',
  truncated: 'test/truncated-chronos-2',
  corrupt: 'test/corrupt-chronos-2',
  bert: 'test/bert-base',
  huge: 'test/huge-chronos-2',
  /** A checkpoint of amazon/chronos-2's architecture and size with seeded random weights, under the real repo id. */
  big: 'amazon/chronos-2',
} as const;

/** Token that opens the gated fixture. */
export const GATED_TOKEN = 'hf_test_token';

/** A BERT config.json: a real Hugging Face config of a model that is not Chronos-2. */
export const BERT_CONFIG = JSON.stringify({
  architectures: ['BertModel'],
  model_type: 'bert',
  hidden_size: 768,
  num_attention_heads: 12,
  num_hidden_layers: 12,
  vocab_size: 30522,
});

/** The random-small weights with the header JSON damaged (a control character inside it). */
export async function corruptHeaderWeights(): Promise<Uint8Array> {
  const bytes = new Uint8Array(await fs.readFile(SMALL_WEIGHTS));
  bytes[8 + 20] = 0x01;
  return bytes;
}

/** The random-small weights cut to 60% of their length (the header still promises all tensors). */
export async function truncatedWeights(): Promise<Uint8Array> {
  const bytes = new Uint8Array(await fs.readFile(SMALL_WEIGHTS));
  return bytes.slice(0, Math.floor(bytes.length * 0.6));
}

/** Registers the small healthy repository and one repository per fault. */
export async function addFixtureRepos(hub: TestHub): Promise<Record<'small' | 'dropped', HubRepoInfo>> {
  const config = await fs.readFile(SMALL_CONFIG);
  const checkpoint = { 'config.json': new Uint8Array(config), 'model.safetensors': SMALL_WEIGHTS };
  const [small, dropped] = await Promise.all([
    hub.addRepo(REPOS.small, { files: checkpoint }),
    hub.addRepo(REPOS.dropped, { files: checkpoint, faults: [{ kind: 'drop', file: 'model.safetensors', afterBytes: 120_000 }] }),
    hub.addRepo(REPOS.gated, { files: checkpoint, faults: [{ kind: 'gated', token: GATED_TOKEN }] }),
    hub.addRepo(REPOS.truncated, { files: { 'config.json': checkpoint['config.json'], 'model.safetensors': await truncatedWeights() } }),
    hub.addRepo(REPOS.corrupt, { files: { 'config.json': checkpoint['config.json'], 'model.safetensors': await corruptHeaderWeights() } }),
    hub.addRepo(REPOS.bert, { files: { 'config.json': new TextEncoder().encode(BERT_CONFIG), 'model.safetensors': SMALL_WEIGHTS } }),
    hub.addRepo(REPOS.huge, { files: checkpoint, faults: [{ kind: 'huge', file: 'model.safetensors', size: 3 * 1024 ** 3 }] }),
  ]);
  return { small, dropped };
}

/**
 * Makes sure the amazon/chronos-2-size checkpoint exists in .cache/ (about 478 MB; a few seconds the first time)
 * and returns its folder.
 */
export async function ensureBigCheckpoint(): Promise<string> {
  const weights = path.join(BIG_CHECKPOINT, 'model.safetensors');
  if (existsSync(weights) && existsSync(path.join(BIG_CHECKPOINT, 'config.json'))) return BIG_CHECKPOINT;
  const configJson = makeChronos2ConfigJson(CHRONOS_2_BASE_SHAPE);
  const bytes = writeSafetensors(randomChronos2Tensors(parseChronos2Config(configJson), 0), { format: 'pt', generator: 'chronos-web random seed 0' });
  await fs.mkdir(BIG_CHECKPOINT, { recursive: true });
  await fs.writeFile(path.join(BIG_CHECKPOINT, 'config.json'), `${JSON.stringify(configJson, null, 2)}\n`);
  const temp = `${weights}.tmp-${process.pid}`;
  await fs.writeFile(temp, bytes);
  await fs.rename(temp, weights);
  return BIG_CHECKPOINT;
}

/**
 * Registers the amazon/chronos-2-size repository (generating its checkpoint if needed), served at `rate` bytes per
 * second (default 100 MB/s: a fast real connection, and slow enough that progress can be watched).
 */
export async function addBigRepo(hub: TestHub, rate = 100e6): Promise<HubRepoInfo> {
  const dir = await ensureBigCheckpoint();
  return hub.addRepo(REPOS.big, { files: { 'config.json': path.join(dir, 'config.json'), 'model.safetensors': path.join(dir, 'model.safetensors') }, rate });
}

/** The app's default model (public/models/index.json): its folder and the name the status bar shows. */
export function bundledModel(root: string): { folder: string; name: string } {
  const registry = parseRegistry(JSON.parse(readFileSync(path.join(root, 'public/models/index.json'), 'utf8')));
  const folder = defaultEntry(registry)?.folder ?? 'random-small';
  const manifest = JSON.parse(readFileSync(path.join(root, 'public/models', folder, 'manifest.json'), 'utf8')) as { name: string };
  return { folder, name: manifest.name };
}

/** Repositories holding LoRA adapters (adapter_config.json + adapter_model.safetensors) of the small fixture. */
export const LORA_REPOS = {
  first: 'test/chronos-2-small-lora',
  second: 'test/chronos-2-small-lora-2',
  missingBase: 'test/lora-of-missing-base',
  otherArchitecture: 'test/lora-of-bert',
  shapeMismatch: 'test/lora-of-wider-model',
  unknownModule: 'test/lora-unknown-module',
  truncated: 'test/lora-truncated',
  dora: 'test/lora-dora',
} as const;

/** The adapter files of one fixture repository (random factors for the small fixture, seeded). */
export function loraRepoFiles(options: { seed: number; baseModel?: string; wider?: boolean; overrides?: Record<string, unknown>; truncate?: boolean; extraLayer?: boolean }): Record<string, Uint8Array> {
  const base = parseChronos2Config(JSON.parse(readFileSync(SMALL_CONFIG, 'utf8')));
  const shape = options.wider ? { ...base, dModel: 64 } : options.extraLayer ? { ...base, numLayers: base.numLayers + 1 } : base;
  const { adapterConfig, safetensors } = randomLoraAdapter(shape, { r: 4, seed: options.seed, baseModel: options.baseModel ?? REPOS.small });
  const weights = options.truncate ? safetensors.slice(0, Math.floor(safetensors.length * 0.6)) : safetensors;
  return {
    'adapter_config.json': new TextEncoder().encode(JSON.stringify({ ...adapterConfig, ...options.overrides }, null, 2)),
    'adapter_model.safetensors': weights,
  };
}

/** Registers the adapter repositories (the base is the small fixture repository, which addFixtureRepos adds). */
export async function addLoraRepos(hub: TestHub): Promise<Record<keyof typeof LORA_REPOS, HubRepoInfo>> {
  const specs: Record<keyof typeof LORA_REPOS, Record<string, Uint8Array>> = {
    first: loraRepoFiles({ seed: 1 }),
    second: loraRepoFiles({ seed: 2 }),
    missingBase: loraRepoFiles({ seed: 3, baseModel: 'test/deleted-base' }),
    otherArchitecture: loraRepoFiles({ seed: 4, baseModel: REPOS.bert }),
    shapeMismatch: loraRepoFiles({ seed: 5, wider: true }),
    unknownModule: loraRepoFiles({ seed: 6, extraLayer: true }),
    truncated: loraRepoFiles({ seed: 7, truncate: true }),
    dora: loraRepoFiles({ seed: 8, overrides: { use_dora: true } }),
  };
  const entries = await Promise.all(Object.entries(specs).map(async ([key, files]) => [key, await hub.addRepo(LORA_REPOS[key as keyof typeof LORA_REPOS], { files })] as const));
  return Object.fromEntries(entries) as Record<keyof typeof LORA_REPOS, HubRepoInfo>;
}
