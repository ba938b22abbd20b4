// `npm run model` with LoRA adapters: an adapter folder with its base beside it, an adapter folder whose base comes
// from the hub, and an adapter repository with an explicit base; the installed model is the merged one.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { installModel } from '../../src/node/install-model';
import { readConvertedDir } from '../../src/node/model-files';
import { weightsFromOnnx } from '../../src/model/onnx/weights-from-onnx';
import { addFixtureRepos, addLoraRepos, LORA_REPOS, loraRepoFiles, REPOS, SMALL_CHECKPOINT } from '../support/hub-fixtures';
import { startHubServer, type TestHub } from '../support/hub-server';

let hub: TestHub;
let dir: string;

beforeAll(async () => {
  hub = await startHubServer();
  await addFixtureRepos(hub);
  await addLoraRepos(hub);
});
afterAll(() => hub?.close());
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'chronos-install-lora-'));
  hub.requests.length = 0;
  return () => rmSync(dir, { recursive: true, force: true });
});

function writeAdapter(folder: string, baseModel: string): void {
  mkdirSync(folder, { recursive: true });
  for (const [file, bytes] of Object.entries(loraRepoFiles({ seed: 1, baseModel }))) writeFileSync(path.join(folder, file), bytes);
}

const Q = 'encoder.block.1.layer.0.self_attention.q.weight';

describe('installing a LoRA adapter', () => {
  it('from a folder with its base beside it, from a folder with its base on the hub, and from the hub: the same merged model', async () => {
    const modelsDir = path.join(dir, 'models');
    cpSync(SMALL_CHECKPOINT, path.join(dir, 'random-small'), { recursive: true });
    writeAdapter(path.join(dir, 'beside'), 'random-small');
    writeAdapter(path.join(dir, 'on-hub'), REPOS.small);
    const beside = await installModel(path.join(dir, 'beside'), { modelsDir });
    expect(hub.requests).toEqual([]);
    const onHub = await installModel(path.join(dir, 'on-hub'), { modelsDir, hubUrl: hub.url });
    expect(hub.requests.some((r) => r.path === `/${REPOS.small}/resolve/main/model.safetensors`)).toBe(true);
    const repo = await installModel(LORA_REPOS.missingBase, { modelsDir, hubUrl: hub.url, base: REPOS.small, name: 'explicit-base' });
    const fromRepo = await installModel(LORA_REPOS.first, { modelsDir, hubUrl: hub.url });
    const weights = await Promise.all([beside, onHub, fromRepo].map(async (i) => {
      const { onnx, manifest } = await readConvertedDir(i.dir);
      return weightsFromOnnx(onnx, manifest.config)(Q);
    }));
    expect(weights[1]).toEqual(weights[0]);
    expect(weights[2]).toEqual(weights[0]);
    expect(repo.manifest.parameterCount).toBe(79_072);
    expect(beside.manifest.source).toContain('+ LoRA');
  });

  it('refuses --base for a folder that is not an adapter, and an adapter whose base is nowhere', async () => {
    await expect(installModel(SMALL_CHECKPOINT, { modelsDir: path.join(dir, 'models'), base: REPOS.small })).rejects.toThrow(/--base is for LoRA adapters/);
    writeAdapter(path.join(dir, 'lonely'), 'no-such-folder');
    await expect(installModel(path.join(dir, 'lonely'), { modelsDir: path.join(dir, 'models'), hubUrl: hub.url })).rejects.toThrow(/was not found on 127\.0\.0\.1/);
  });
});
