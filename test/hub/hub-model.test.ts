// Getting a model from a hub, end to end against the stand-in hub on 127.0.0.1 and a model cache on real files:
// the converted model equals a direct conversion of the same checkpoint; a second load is served from the cache
// after one HEAD request; every fault gives its named error with a clear message and leaves nothing in the cache;
// a dropped connection is resumed with a Range request on retry.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelCache } from '../../src/hub/cache';
import type { PartialDownload } from '../../src/hub/download';
import { DownloadInterruptedError } from '../../src/hub/errors';
import { prepareHubModel, type PrepareDeps, type PrepareProgress } from '../../src/hub/hub-model';
import { convertCheckpoint } from '../../src/model/convert';
import { fsCacheBackend } from '../../src/node/fs-cache-backend';
import { addFixtureRepos, GATED_TOKEN, REPOS, SMALL_CHECKPOINT } from '../support/hub-fixtures';
import { startHubServer, type HubRepoInfo, type TestHub } from '../support/hub-server';

let hub: TestHub;
let info: Record<'small' | 'dropped', HubRepoInfo>;
let cacheDir: string;
let cache: ModelCache;

beforeAll(async () => {
  hub = await startHubServer();
  info = await addFixtureRepos(hub);
});

afterAll(async () => {
  await hub?.close();
});

beforeEach(() => {
  cacheDir = mkdtempSync(path.join(tmpdir(), 'chronos-hub-cache-'));
  cache = new ModelCache(fsCacheBackend(cacheDir));
  hub.requests.length = 0;
  return () => rmSync(cacheDir, { recursive: true, force: true });
});

function deps(progress: PrepareProgress[] = [], partials?: PrepareDeps['partials']): PrepareDeps {
  return { fetch: globalThis.fetch.bind(globalThis), cache, onProgress: (p) => progress.push(p), ...(partials ? { partials } : {}) };
}

describe('a healthy repository', () => {
  it('downloads through the redirect, converts like a local conversion, caches, then serves the cache', async () => {
    const progress: PrepareProgress[] = [];
    const first = await prepareHubModel({ hubUrl: hub.url, repo: REPOS.small }, deps(progress));
    const direct = await convertCheckpoint(
      {
        configText: readFileSync(path.join(SMALL_CHECKPOINT, 'config.json'), 'utf8'),
        safetensors: new Uint8Array(readFileSync(path.join(SMALL_CHECKPOINT, 'model.safetensors'))),
      },
      { name: REPOS.small, source: `${hub.url}/${REPOS.small}@${info.small.commit}` },
    );
    expect(first.fromCache).toBe(false);
    expect(first.manifest.sha256).toBe(direct.manifest.sha256);
    expect(first.manifest.source).toBe(`${hub.url}/${REPOS.small}@${info.small.commit}`);
    expect(hub.requests.map((r) => `${r.method} ${r.status} ${r.path.startsWith('/cdn/') ? '/cdn/…' : r.path}`)).toEqual([
      `GET 200 /${REPOS.small}/resolve/main/config.json`,
      `GET 302 /${REPOS.small}/resolve/main/model.safetensors`,
      'GET 200 /cdn/…',
    ]);
    const downloads = progress.filter((p) => p.phase === 'download' && p.file === 'model.safetensors');
    expect(downloads[0]).toMatchObject({ loaded: 0, total: info.small.files['model.safetensors'].size });
    expect(downloads.at(-1)).toMatchObject({ loaded: info.small.files['model.safetensors'].size });
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['download', 'convert', 'cache']));

    const cached = await cache.list();
    expect(cached).toHaveLength(1);
    expect(cached[0]).toMatchObject({
      id: first.cached?.id,
      name: REPOS.small,
      weights: 'float32',
      onnxBytes: first.onnx.byteLength,
      origin: { kind: 'hub', repo: REPOS.small, revision: 'main', sha256: info.small.files['model.safetensors'].sha256, commit: info.small.commit },
    });

    hub.requests.length = 0;
    const second = await prepareHubModel({ hubUrl: hub.url, repo: REPOS.small }, deps());
    expect(second.fromCache).toBe(true);
    expect(second.cached?.id).toBe(first.cached?.id);
    expect(Buffer.from(second.onnx).equals(Buffer.from(first.onnx))).toBe(true);
    // One HEAD (through the redirect) to check the cached copy is current; no body downloaded.
    expect(hub.requests.every((r) => r.method === 'HEAD')).toBe(true);
  });

  it('uses a cached copy without any request when the revision is a commit id', async () => {
    const first = await prepareHubModel({ hubUrl: hub.url, repo: REPOS.small, revision: info.small.commit }, deps());
    hub.requests.length = 0;
    const second = await prepareHubModel({ hubUrl: hub.url, repo: REPOS.small, revision: info.small.commit }, deps());
    expect(second.fromCache).toBe(true);
    expect(second.cached?.id).toBe(first.cached?.id);
    expect(hub.requests).toEqual([]);
  });

  it('keeps fp16 and fp32 copies apart; fp16 halves the ONNX file', async () => {
    const fp32 = await prepareHubModel({ hubUrl: hub.url, repo: REPOS.small }, deps());
    const fp16 = await prepareHubModel({ hubUrl: hub.url, repo: REPOS.small, weights: 'float16' }, deps());
    expect(fp16.cached?.id).not.toBe(fp32.cached?.id);
    expect(fp16.manifest.weights).toBe('float16');
    // Each weight drops from 4 bytes to 2 (the graph and one Cast per weight do not shrink: a bound on the bytes
    // saved, not a ratio, which the test model's 50 KB graph would decide).
    expect(fp32.onnx.byteLength - fp16.onnx.byteLength).toBeGreaterThan(0.85 * 2 * fp32.manifest.parameterCount);
    expect((await cache.list()).map((c) => c.weights).sort()).toEqual(['float16', 'float32']);
  });

  it('falls back to the cached copy when the hub cannot be reached', async () => {
    const first = await prepareHubModel({ hubUrl: hub.url, repo: REPOS.small }, deps());
    const offline: typeof fetch = () => Promise.reject(new TypeError('Failed to fetch'));
    const second = await prepareHubModel({ hubUrl: hub.url, repo: REPOS.small }, { ...deps(), fetch: offline });
    expect(second.fromCache).toBe(true);
    expect(second.cached?.id).toBe(first.cached?.id);
    expect(second.note).toMatch(/cannot be reached/);
  });
});

describe('faults: a clear error, nothing cached', () => {
  const cases: Array<{ title: string; repo: string; name: string; message: RegExp; token?: string }> = [
    { title: '404 repository', repo: 'test/no-such-model', name: 'RepoNotFoundError', message: /Repository test\/no-such-model was not found on 127\.0\.0\.1:\d+ \(HTTP 404\)/ },
    { title: '401 gated repository', repo: REPOS.gated, name: 'GatedRepoError', message: /test\/gated-chronos-2 is gated or private \(HTTP 401\).*access token/ },
    { title: 'gated repository with a wrong token', repo: REPOS.gated, name: 'GatedRepoError', message: /access token was refused/, token: 'hf_wrong' },
    { title: 'truncated file', repo: REPOS.truncated, name: 'SafetensorsError', message: /test\/truncated-chronos-2: model\.safetensors: .*the file may be truncated/ },
    { title: 'corrupted safetensors header', repo: REPOS.corrupt, name: 'SafetensorsError', message: /test\/corrupt-chronos-2: model\.safetensors: header is not valid JSON/ },
    { title: 'config of a non-Chronos-2 model', repo: REPOS.bert, name: 'ConfigError', message: /test\/bert-base is not a Chronos-2 model: its config\.json describes a BertModel/ },
    { title: 'a file larger than the browser can hold', repo: REPOS.huge, name: 'ModelTooLargeError', message: /model\.safetensors is 3,221 MB; loading it needs about 6,442 MB at the peak, but the browser can hold at most 2,147 MB/ },
  ];
  for (const c of cases) {
    it(c.title, async () => {
      const error = await prepareHubModel({ hubUrl: hub.url, repo: c.repo, ...(c.token ? { token: c.token } : {}) }, deps()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe(c.name);
      expect((error as Error).message).toMatch(c.message);
      expect(await cache.list()).toEqual([]);
      expect(await fsCacheBackend(cacheDir).list()).toEqual([]);
    });
  }

  it('a non-Chronos-2 config is refused before any weights are downloaded', async () => {
    await prepareHubModel({ hubUrl: hub.url, repo: REPOS.bert }, deps()).catch(() => undefined);
    expect(hub.requests.map((r) => r.path)).toEqual([`/${REPOS.bert}/resolve/main/config.json`]);
  });

  it('a corrupt header is refused after its first bytes, not after the whole file', async () => {
    const progress: PrepareProgress[] = [];
    await prepareHubModel({ hubUrl: hub.url, repo: REPOS.corrupt }, deps(progress)).catch(() => undefined);
    expect(progress.some((p) => p.phase === 'convert')).toBe(false);
  });

  it('the gated repository opens with its token', async () => {
    const model = await prepareHubModel({ hubUrl: hub.url, repo: REPOS.gated, token: GATED_TOKEN }, deps());
    expect(model.manifest.name).toBe(REPOS.gated);
    expect(hub.requests.filter((r) => r.path.includes('/resolve/')).every((r) => r.authorized)).toBe(true);
  });

  it('a dropped connection is resumed by Range on retry, and only the finished model is cached', async () => {
    let partial: PartialDownload | null = null;
    const partials = { get: () => partial, set: (p: PartialDownload | null) => void (partial = p) };
    const error = await prepareHubModel({ hubUrl: hub.url, repo: REPOS.dropped }, deps([], partials)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadInterruptedError);
    expect((error as Error).message).toMatch(/The connection dropped while downloading model\.safetensors .* after 0\.1 MB of 0\.3 MB\. Nothing was cached\. Retry resumes/);
    expect(partial).not.toBeNull();
    expect(await cache.list()).toEqual([]);

    hub.requests.length = 0;
    const progress: PrepareProgress[] = [];
    const model = await prepareHubModel({ hubUrl: hub.url, repo: REPOS.dropped }, deps(progress, partials));
    expect(partial).toBeNull();
    const ranged = hub.requests.filter((r) => r.path.startsWith('/cdn/'));
    expect(ranged).toHaveLength(1);
    expect(ranged[0].status).toBe(206);
    expect(ranged[0].range).toBe(`bytes=${120_000}-`);
    expect(progress.find((p) => p.phase === 'download' && p.file === 'model.safetensors')).toMatchObject({ resumedFrom: 120_000 });
    // Same bytes as an uninterrupted download: the same ONNX as the healthy repository's (but for the name).
    expect(model.manifest.parameterCount).toBe(79_072);
    expect((await cache.list()).map((c) => c.origin.kind === 'hub' && c.origin.sha256)).toEqual([info.dropped.files['model.safetensors'].sha256]);
  });

  it('invalid input is refused before any request', async () => {
    for (const [request, message] of [
      [{ repo: 'amazon/chronos 2' }, /not a valid repository id/],
      [{ repo: 'a/b/c' }, /not a valid repository id/],
      [{ repo: 'amazon/chronos-2', revision: 'main branch' }, /not a valid revision/],
      [{ repo: 'amazon/chronos-2', hubUrl: 'ftp://example.com' }, /must start with http/],
    ] as const) {
      await expect(prepareHubModel({ hubUrl: hub.url, ...request }, deps())).rejects.toThrow(message);
    }
    expect(hub.requests).toEqual([]);
  });
});
