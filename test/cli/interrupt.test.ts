// The model-writing CLIs under abuse, as real processes: `npm run model -- <repo> --name index.json` (and other
// reserved or unsafe names) is refused and the registry stays a file; Ctrl-C (SIGINT) during `convert` or `model`
// leaves the previous good model and no temporary folder (which `vite build` would copy into dist); the build's
// clean-up finds temporary folders a killed process left.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { removeTempPaths, TEMP_NAME } from '../../src/node/atomic-files';
import { REPOS, addFixtureRepos } from '../support/hub-fixtures';
import { startHubServer, type TestHub } from '../support/hub-server';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const OLD_MODEL = path.join(ROOT, 'public/models/random-small');
const CHECKPOINT = path.join(ROOT, 'public/models/chronos2-mini');
let work: string;
let hub: TestHub;

beforeAll(async () => {
  hub = await startHubServer();
  await addFixtureRepos(hub);
});
afterAll(() => hub?.close());
beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'chronos-interrupt-'));
  return () => rmSync(work, { recursive: true, force: true });
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs a CLI; when `interruptOn` is given, sends SIGINT as soon as a matching name appears in `watchDir` (the
 * moment the CLI starts writing there).
 */
function runCli(script: string, args: string[], options: { watchDir?: string; interruptOn?: RegExp; env?: Record<string, string> } = {}): Promise<Exit & { interrupted: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TSX, path.join(ROOT, 'src/cli', script), ...args], { cwd: ROOT, env: { ...process.env, ...options.env } });
    let stderr = '';
    let interrupted = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const watcher =
      options.watchDir && options.interruptOn
        ? watch(options.watchDir, (_event, name) => {
            if (!interrupted && name && options.interruptOn!.test(name)) {
              interrupted = true;
              child.kill('SIGINT');
            }
          })
        : null;
    child.on('exit', (code, signal) => {
      watcher?.close();
      resolve({ code, signal, stderr, interrupted });
    });
  });
}

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The folder holds a complete model: its model.onnx hashes to what its manifest.json says. */
function isComplete(dir: string): boolean {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { sha256: string; onnxFile: string };
  return sha256(path.join(dir, manifest.onnxFile)) === manifest.sha256;
}

function tempEntries(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    if (TEMP_NAME.test(name) || /\.tmp-\d+/.test(name)) found.push(name);
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) found.push(...tempEntries(full).map((n) => `${name}/${n}`));
  }
  return found;
}

describe('npm run model: reserved and unsafe names', () => {
  for (const [name, why] of [
    ['index.json', /index\.json is the registry of installed models/],
    ['INDEX.JSON', /index\.json is the registry/],
    ['model.onnx', /looks like a file name/],
    ['CON', /reserved device name on Windows/],
    ['x.tmp-123', /partly written files/],
    ['../escape', /use letters, digits/],
    ['.hidden', /use letters, digits/],
  ] as const) {
    it(`refuses --name ${name}`, async () => {
      const models = path.join(work, 'models');
      mkdirSync(models);
      cpSync(path.join(ROOT, 'public/models/index.json'), path.join(models, 'index.json'));
      const before = readFileSync(path.join(models, 'index.json'), 'utf8');
      const result = await runCli('model.ts', [REPOS.small, '--name', name, '--models-dir', models, '--hub-url', hub.url]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`RegistryError: "${name}" cannot be a model folder name: `);
      expect(result.stderr).toMatch(why);
      expect(statSync(path.join(models, 'index.json')).isFile()).toBe(true);
      expect(readFileSync(path.join(models, 'index.json'), 'utf8')).toBe(before);
      expect(readdirSync(models)).toEqual(['index.json']);
    });
  }

  it('refuses to replace a folder it did not install', async () => {
    const models = path.join(work, 'models');
    mkdirSync(path.join(models, 'notes'), { recursive: true });
    writeFileSync(path.join(models, 'notes', 'keep.txt'), 'mine');
    const result = await runCli('model.ts', [REPOS.small, '--name', 'notes', '--models-dir', models, '--hub-url', hub.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/exists and is not a model installed here/);
    expect(readFileSync(path.join(models, 'notes', 'keep.txt'), 'utf8')).toBe('mine');
  });
});

describe('Ctrl-C while writing', () => {
  it('convert: the previous model.onnx and manifest.json survive, and nothing temporary is left', async () => {
    const out = path.join(work, 'out');
    cpSync(OLD_MODEL, out, { recursive: true });
    const oldSha = sha256(path.join(out, 'model.onnx'));
    const result = await runCli('convert.ts', [CHECKPOINT, out], { watchDir: out, interruptOn: /model\.onnx/ });
    expect(result.interrupted).toBe(true);
    expect(isComplete(out)).toBe(true);
    expect(tempEntries(out)).toEqual([]);
    // Exit code of SIGINT; interrupted before the renames, exactly the old model (else the complete new one).
    expect([0, 130]).toContain(result.code);
    if (/interrupted \(SIGINT\): nothing was changed/.test(result.stderr)) expect(sha256(path.join(out, 'model.onnx'))).toBe(oldSha);
    else expect(sha256(path.join(out, 'model.onnx'))).not.toBe(oldSha);
  });

  it('model: the installed model and the registry survive, and no .name.tmp-PID folder is left for vite build to copy', async () => {
    const models = path.join(work, 'models');
    mkdirSync(models);
    // An earlier install of the same name.
    const first = await runCli('model.ts', [REPOS.small, '--name', 'mine', '--models-dir', models, '--hub-url', hub.url]);
    expect(first.code).toBe(0);
    const registry = readFileSync(path.join(models, 'index.json'), 'utf8');
    const oldSha = sha256(path.join(models, 'mine', 'model.onnx'));
    const result = await runCli('model.ts', [REPOS.small, '--name', 'mine', '--fp16', '--models-dir', models, '--hub-url', hub.url], {
      watchDir: models,
      interruptOn: /\.tmp-\d+$/,
    });
    expect(result.interrupted).toBe(true);
    expect(tempEntries(models)).toEqual([]);
    expect(isComplete(path.join(models, 'mine'))).toBe(true);
    expect([0, 130]).toContain(result.code);
    if (/interrupted \(SIGINT\): nothing was changed/.test(result.stderr)) {
      expect(sha256(path.join(models, 'mine', 'model.onnx'))).toBe(oldSha);
      expect(readFileSync(path.join(models, 'index.json'), 'utf8')).toBe(registry);
    }
  });
});

describe('the build never ships temporary folders', () => {
  it('removeTempPaths (run by vite build on dist/) finds what a killed process left, and nothing else', async () => {
    const dist = path.join(work, 'dist');
    mkdirSync(path.join(dist, 'models', '.mine.tmp-4242'), { recursive: true });
    writeFileSync(path.join(dist, 'models', '.mine.tmp-4242', 'model.onnx'), 'partial');
    mkdirSync(path.join(dist, 'models', 'mine'), { recursive: true });
    writeFileSync(path.join(dist, 'models', 'mine', '.model.onnx.tmp-77'), 'partial');
    writeFileSync(path.join(dist, 'models', 'mine', 'model.onnx'), 'whole');
    writeFileSync(path.join(dist, 'models', '.index.json.old-9'), '{}');
    const removed = await removeTempPaths(dist);
    expect(removed.map((p) => path.relative(dist, p)).sort()).toEqual(['models/.index.json.old-9', 'models/.mine.tmp-4242', 'models/mine/.model.onnx.tmp-77']);
    expect(existsSync(path.join(dist, 'models', 'mine', 'model.onnx'))).toBe(true);
  });
});
