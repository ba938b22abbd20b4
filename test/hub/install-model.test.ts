// `npm run model`: installing from the stand-in hub and from a checkpoint folder into a models folder with its
// registry, fp16 storage, reinstalling, resuming a dropped download, and the CLI process itself (arguments,
// HF_ENDPOINT, output, exit codes).
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { installModel, readRegistry } from '../../src/node/install-model';
import { readConvertedDir } from '../../src/node/model-files';
import { defaultEntry } from '../../src/model/registry';
import { addFixtureRepos, REPOS, SMALL_CHECKPOINT } from '../support/hub-fixtures';
import { startHubServer, type TestHub } from '../support/hub-server';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let hub: TestHub;
let modelsDir: string;

/** The models the app ships with, in registry order, and its default. */
const SHIPPED = JSON.parse(readFileSync(path.join(ROOT, 'public/models/index.json'), 'utf8')) as { models: Array<{ name: string; default?: boolean }> };
const BUNDLED = SHIPPED.models.map((m) => m.name);
const BUNDLED_DEFAULT = (SHIPPED.models.find((m) => m.default) ?? SHIPPED.models[0]).name;

beforeAll(async () => {
  hub = await startHubServer();
  await addFixtureRepos(hub);
});
afterAll(() => hub?.close());
beforeEach(() => {
  modelsDir = mkdtempSync(path.join(tmpdir(), 'chronos-models-'));
  // Start from the app's own registry, as `npm run model` does in public/models.
  cpSync(path.join(ROOT, 'public/models/index.json'), path.join(modelsDir, 'index.json'));
  return () => rmSync(modelsDir, { recursive: true, force: true });
});

describe('installModel', () => {
  it('installs a hub model into <models>/<name>/ and registers it next to the bundled ones', async () => {
    const installed = await installModel(REPOS.small, { modelsDir, hubUrl: hub.url });
    expect(installed.entry).toMatchObject({ name: 'chronos-2-small', folder: 'chronos-2-small', parameters: 79_072, source: REPOS.small });
    const { manifest, onnx } = await readConvertedDir(installed.dir);
    expect(manifest.name).toBe(REPOS.small);
    expect(installed.entry.size).toBe(onnx.byteLength);
    const registry = await readRegistry(modelsDir);
    expect(registry.models.map((m) => m.name)).toEqual([...BUNDLED, 'chronos-2-small']);
    expect(defaultEntry(registry)?.name).toBe(BUNDLED_DEFAULT);
    expect(readdirNoTemp(modelsDir)).toEqual(['chronos-2-small', 'index.json']);
  });

  it('installs fp16 under its own name, can become the default, and reinstalls in place', async () => {
    const fp16 = await installModel(REPOS.small, { modelsDir, hubUrl: hub.url, weights: 'float16', makeDefault: true });
    expect(fp16.entry).toMatchObject({ name: 'chronos-2-small-fp16', weights: 'float16', default: true });
    expect(fp16.manifest.weights).toBe('float16');
    await installModel(REPOS.small, { modelsDir, hubUrl: hub.url, weights: 'float16' });
    const registry = await readRegistry(modelsDir);
    expect(registry.models.map((m) => `${m.name}${m.default ? '*' : ''}`)).toEqual([...BUNDLED, 'chronos-2-small-fp16*']);
  });

  it('resumes a dropped download by itself', async () => {
    hub.requests.length = 0;
    const installed = await installModel(REPOS.dropped, { modelsDir, hubUrl: hub.url });
    expect(installed.resumes).toBe(1);
    expect(hub.requests.filter((r) => r.status === 206)).toHaveLength(1);
  });

  it('installs a checkpoint folder from disk', async () => {
    const installed = await installModel(SMALL_CHECKPOINT, { modelsDir, name: 'from-disk' });
    expect(installed.entry).toMatchObject({ name: 'from-disk', source: path.resolve(SMALL_CHECKPOINT) });
    expect(existsSync(path.join(modelsDir, 'from-disk', 'model.onnx'))).toBe(true);
  });

  it('leaves the models folder untouched when the download fails', async () => {
    await expect(installModel(REPOS.corrupt, { modelsDir, hubUrl: hub.url })).rejects.toMatchObject({ name: 'SafetensorsError' });
    expect(readdirNoTemp(modelsDir)).toEqual(['index.json']);
    expect(readFileSync(path.join(modelsDir, 'index.json'), 'utf8')).toBe(readFileSync(path.join(ROOT, 'public/models/index.json'), 'utf8'));
  });
});

/** The folder's entries: no temporary folders or files may be left behind. */
function readdirNoTemp(dir: string): string[] {
  return readdirSync(dir).sort();
}

describe('npm run model (the CLI process)', () => {
  const run = (args: string[], env: Record<string, string> = {}) =>
    promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'src/cli/model.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });

  it('installs from the hub named by HF_ENDPOINT and prints what it did', async () => {
    const { stdout, stderr } = await run([REPOS.small, '--fp16', '--models-dir', modelsDir], { HF_ENDPOINT: hub.url });
    expect(stdout).toMatch(/installed test\/chronos-2-small as "chronos-2-small-fp16" in .* in [\d.]+ s/);
    expect(stdout).toMatch(/79,072 parameters, 0\.2 MB of ONNX \(float16 weights\)/);
    expect(stderr).toMatch(/model\.safetensors: 0\.3 MB of 0\.3 MB \(100%\)/);
    expect((await readRegistry(modelsDir)).models.map((m) => m.name)).toContain('chronos-2-small-fp16');
  });

  it('exits 1 with one clear line for a missing repository', async () => {
    const error = await run(['test/nope', '--models-dir', modelsDir, '--hub-url', hub.url]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 1 });
    expect((error as { stderr: string }).stderr.trim()).toMatch(/^RepoNotFoundError: Repository test\/nope was not found on 127\.0\.0\.1:\d+ \(HTTP 404\)/);
  });
});
