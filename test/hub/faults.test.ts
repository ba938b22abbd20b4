// The faults of real networks and servers, against the stand-in hub on 127.0.0.1 (real HTTP): a body without
// Content-Length (chunked) or gzip-encoded must download; an endless body is stopped at the size the safetensors
// header describes (or at the ceiling) with a message that says so; a stall or a 1 byte/s drip times out after the
// stated period, keeping what arrived so that the retry resumes with Range; an HTTP 500 and a redirect loop are
// told apart from an unreachable hub.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelCache } from '../../src/hub/cache';
import { downloadFile, type PartialDownload } from '../../src/hub/download';
import { DownloadStalledError } from '../../src/hub/errors';
import { prepareHubModel, type PrepareDeps } from '../../src/hub/hub-model';
import { fsCacheBackend } from '../../src/node/fs-cache-backend';
import { formatSpeed } from '../../src/ui/format';
import { SMALL_CHECKPOINT } from '../support/hub-fixtures';
import { startHubServer, type HubFault, type TestHub } from '../support/hub-server';

let hub: TestHub;
let cacheDir: string;
let cache: ModelCache;
const config = new Uint8Array(readFileSync(path.join(SMALL_CHECKPOINT, 'config.json')));
const weights = path.join(SMALL_CHECKPOINT, 'model.safetensors');
const weightBytes = readFileSync(weights).length;
const fetchFn = globalThis.fetch.bind(globalThis);

beforeAll(async () => {
  hub = await startHubServer();
});
afterAll(async () => {
  await hub?.close();
});
beforeEach(() => {
  cacheDir = mkdtempSync(path.join(tmpdir(), 'chronos-faults-'));
  cache = new ModelCache(fsCacheBackend(cacheDir));
  hub.requests.length = 0;
  return () => rmSync(cacheDir, { recursive: true, force: true });
});

async function repoWith(repo: string, ...faults: HubFault[]): Promise<string> {
  await hub.addRepo(repo, { files: { 'config.json': config, 'model.safetensors': weights }, faults });
  return repo;
}

function deps(extra: Partial<PrepareDeps> = {}): PrepareDeps {
  return { fetch: fetchFn, cache, ...extra };
}

describe('bodies without a usable Content-Length', () => {
  it('a chunked model.safetensors downloads and converts (no false "truncated")', async () => {
    const repo = await repoWith('t/chunked', { kind: 'chunked', file: 'model.safetensors' });
    const model = await prepareHubModel({ hubUrl: hub.url, repo }, deps());
    expect(model.manifest.parameterCount).toBe(79_072);
    expect(hub.requests.find((r) => r.path.startsWith('/cdn/'))?.status).toBe(200);
  });

  it('a gzip-encoded model.safetensors downloads and converts', async () => {
    const repo = await repoWith('t/gzip', { kind: 'gzip', file: 'model.safetensors' });
    const model = await prepareHubModel({ hubUrl: hub.url, repo }, deps());
    expect(model.manifest.parameterCount).toBe(79_072);
  });

  it('an endless body is stopped at the size its safetensors header describes, and says so', async () => {
    const repo = await repoWith('t/endless', { kind: 'endless', file: 'model.safetensors' });
    const error = (await prepareHubModel({ hubUrl: hub.url, repo }, deps()).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('DownloadIntegrityError');
    expect(error.message).toBe(
      `model.safetensors: the server kept sending past the ${weightBytes.toLocaleString('en-US')} bytes its safetensors header describes ` +
        '(it sent no Content-Length); the download was stopped and discarded. The server or a proxy is misbehaving; try again later.',
    );
    expect(await cache.list()).toEqual([]);
  });

  it('an endless body with no header to go by is stopped at the ceiling, without blaming the model', async () => {
    await hub.addRepo('t/endless-config', { files: { 'config.json': config }, faults: [{ kind: 'endless', file: 'config.json' }] });
    const error = (await downloadFile(`${hub.url}/t/endless-config/resolve/main/config.json`, { fetch: fetchFn, file: 'config.json', maxBytes: 1024 * 1024 }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.name).toBe('DownloadIntegrityError');
    expect(error.message).toBe(
      'config.json: the server sent more than 1 MB without saying how large the file is (no Content-Length), more than config.json can be; ' +
        'the download was stopped and discarded. The server or a proxy is misbehaving; try again later.',
    );
  });
});

describe('stalls and drips time out, and Retry resumes', () => {
  it('a stall mid-file times out after the stated period, keeps what arrived, and the retry resumes with Range', async () => {
    const repo = await repoWith('t/stall', { kind: 'stall', file: 'model.safetensors', afterBytes: 100_000 });
    let partial: PartialDownload | null = null;
    const partials = { get: () => partial, set: (p: PartialDownload | null) => void (partial = p) };
    const started = Date.now();
    const error = (await prepareHubModel({ hubUrl: hub.url, repo }, deps({ partials, stallTimeoutMs: 800 })).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(DownloadStalledError);
    expect(error.name).toBe('DownloadStalledError');
    expect(error.message).toBe(
      'The download of model.safetensors stalled: no data arrived for 0.8 s, after 0.1 MB of 0.3 MB. Nothing was cached. Retry resumes the download from there.',
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(partial).not.toBeNull();
    expect(partial!.received).toBe(100_000);

    hub.requests.length = 0;
    const model = await prepareHubModel({ hubUrl: hub.url, repo }, deps({ partials, stallTimeoutMs: 800 }));
    expect(model.manifest.parameterCount).toBe(79_072);
    expect(hub.requests.filter((r) => r.path.startsWith('/cdn/')).map((r) => `${r.status} ${r.range}`)).toEqual(['206 bytes=100000-']);
  });

  it('a 1 byte/s drip times out too, and the speed reads as a whole number of bytes', async () => {
    const repo = await repoWith('t/drip', { kind: 'drip', file: 'model.safetensors' });
    const speeds: number[] = [];
    const error = (await prepareHubModel(
      { hubUrl: hub.url, repo },
      deps({ stallTimeoutMs: 2500, onProgress: (p) => p.phase === 'download' && p.bytesPerSecond !== undefined && speeds.push(p.bytesPerSecond) }),
    ).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('DownloadStalledError');
    expect(error.message).toMatch(
      /^The download of model\.safetensors stalled: only [1-9] bytes? arrived in the last 2\.5 s \(a download must move at least 16 KB per 2\.5 s\), after 0 MB of 0\.3 MB\. Nothing was cached\. Retry resumes the download from there\.$/,
    );
    expect(formatSpeed(0.9993928688322589)).toBe('1 B/s');
    expect(formatSpeed(1536.7)).toBe('2 KB/s');
    for (const s of speeds) expect(formatSpeed(s)).toMatch(/^\d+ B\/s$/);
  });
});

describe('HTTP errors are not "unreachable"', () => {
  it('an HTTP 500 is a HubHttpError with its status; a redirect loop is a HubRedirectError; a closed port is a HubNetworkError', async () => {
    const broken = await repoWith('t/500', { kind: 'status', file: 'config.json', status: 500 });
    const e500 = (await prepareHubModel({ hubUrl: hub.url, repo: broken }, deps()).catch((e: unknown) => e)) as Error & { status?: number };
    expect(e500.name).toBe('HubHttpError');
    expect(e500.status).toBe(500);
    expect(e500.message).toMatch(/^The hub answered HTTP 500 Internal Server Error for config\.json of t\/500; try again later\./);

    const looping = await repoWith('t/loop', { kind: 'redirect-loop', file: 'config.json' });
    const eLoop = (await prepareHubModel({ hubUrl: hub.url, repo: looping }, deps()).catch((e: unknown) => e)) as Error;
    expect(eLoop.name).toBe('HubRedirectError');
    expect(eLoop.message).toMatch(/^127\.0\.0\.1:\d+ answered config\.json of t\/loop with redirects that never end \(a redirect loop/);

    const closed = 'http://127.0.0.1:9';
    const eNet = (await prepareHubModel({ hubUrl: closed, repo: 't/x' }, deps()).catch((e: unknown) => e)) as Error;
    expect(eNet.name).toBe('HubNetworkError');
  });
});
