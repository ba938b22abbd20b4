// downloadFile against real HTTP servers on 127.0.0.1: one preallocated buffer, progress with speed, a file that
// changed between attempts restarts instead of mixing versions, a server without Content-Length, a lying ETag,
// cancellation, and the memory ceiling checked before anything is allocated.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { downloadFile, type DownloadProgress, type PartialDownload } from '../../src/hub/download';
import { DownloadIntegrityError, DownloadInterruptedError, HubNetworkError, ModelTooLargeError } from '../../src/hub/errors';
import { startHubServer, type TestHub } from '../support/hub-server';

const fetchFn = globalThis.fetch.bind(globalThis);
let hub: TestHub | null = null;
let plain: Server | null = null;

afterEach(async () => {
  await hub?.close();
  hub = null;
  if (plain) {
    plain.closeAllConnections();
    await new Promise<void>((resolve) => plain!.close(() => resolve()));
    plain = null;
  }
});

function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed * 7) & 0xff;
  return out;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
/** Byte equality (vitest's deep equality walks megabytes element by element, far too slowly). */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** A plain server whose handler the test writes. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  plain = createServer(handler);
  await new Promise<void>((resolve) => plain!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
}

describe('downloadFile', () => {
  it('fills one preallocated buffer through a redirect, hashing and reporting speed', async () => {
    hub = await startHubServer();
    const content = bytes(6_000_000);
    await hub.addRepo('t/m', { files: { 'model.safetensors': content } });
    const progress: DownloadProgress[] = [];
    const file = await downloadFile(`${hub.url}/t/m/resolve/main/model.safetensors`, { fetch: fetchFn, file: 'model.safetensors', onProgress: (p) => progress.push(p) });
    expect(same(file.bytes, content)).toBe(true);
    // The buffer is exactly the file: allocated once from Content-Length, never concatenated.
    expect(file.bytes.buffer.byteLength).toBe(content.length);
    expect(file.sha256).toBe(sha256(content));
    expect(file.etag).toBe(sha256(content));
    expect(file.finalUrl).toMatch(/\/cdn\/[0-9a-f]{64}$/);
    expect(progress[0]).toMatchObject({ loaded: 0, total: content.length });
    expect(progress.at(-1)).toMatchObject({ loaded: content.length, total: content.length });
    expect(progress.length).toBeGreaterThan(3);
    // Each report says new bytes: the end is heard once, however the last chunk fell.
    expect(progress.every((p, i) => i === 0 || p.loaded > progress[i - 1].loaded)).toBe(true);
  });

  it('reports the end of a file once, also when its last chunk came after a pause (a progress report of its own)', async () => {
    const content = bytes(200_000, 3);
    // All but the last kilobyte, then a pause longer than the 250 ms between reports, then the rest.
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(content.length), 'content-type': 'application/octet-stream' });
      res.write(content.subarray(0, content.length - 1024));
      setTimeout(() => res.end(content.subarray(content.length - 1024)), 400);
    });
    const progress: DownloadProgress[] = [];
    const file = await downloadFile(`${url}/model.safetensors`, { fetch: fetchFn, file: 'model.safetensors', onProgress: (p) => progress.push(p) });
    expect(same(file.bytes, content)).toBe(true);
    expect(progress.filter((p) => p.loaded === content.length)).toHaveLength(1);
    expect(progress.at(-1)).toMatchObject({ loaded: content.length, total: content.length });
  });

  it('resumes with Range, and starts over when the file changed in between (If-Range)', async () => {
    hub = await startHubServer();
    const v1 = bytes(500_000, 1);
    await hub.addRepo('t/m', { files: { 'model.safetensors': v1 }, faults: [{ kind: 'drop', file: 'model.safetensors', afterBytes: 200_000 }] });
    const url = `${hub.url}/t/m/resolve/main/model.safetensors`;
    const error = await downloadFile(url, { fetch: fetchFn, file: 'model.safetensors' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadInterruptedError);
    const partial = (error as DownloadInterruptedError).partial as PartialDownload;
    expect(partial.received).toBe(200_000);
    expect(partial.etag).toBe(sha256(v1));

    // The repository gets a new file before the retry: the stale range must not be combined with it.
    const v2 = bytes(500_000, 2);
    await hub.addRepo('t/m', { files: { 'model.safetensors': v2 } });
    hub.requests.length = 0;
    const file = await downloadFile(url, { fetch: fetchFn, file: 'model.safetensors', resume: partial });
    expect(same(file.bytes, v2)).toBe(true);
    const cdn = hub.requests.find((r) => r.path.startsWith('/cdn/'));
    expect(cdn).toMatchObject({ range: 'bytes=200000-', status: 200 });
  });

  it('reads a body without Content-Length', async () => {
    const content = bytes(3_000_000);
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' }); // chunked
      res.write(content.subarray(0, 1_000_000));
      res.end(content.subarray(1_000_000));
    });
    const file = await downloadFile(`${url}/x`, { fetch: fetchFn, file: 'x' });
    expect(same(file.bytes, content)).toBe(true);
  });

  it('refuses a file whose content does not hash to the SHA-256 ETag', async () => {
    const content = bytes(100_000);
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Length': content.length, ETag: `"${sha256(bytes(100_000, 9))}"` });
      res.end(content);
    });
    await expect(downloadFile(`${url}/x`, { fetch: fetchFn, file: 'model.safetensors' })).rejects.toThrow(DownloadIntegrityError);
    await expect(downloadFile(`${url}/x`, { fetch: fetchFn, file: 'model.safetensors' })).rejects.toThrow(/model\.safetensors is corrupt: its SHA-256 .* does not match/);
  });

  it('checks the ceiling before allocating, with the size in the message', async () => {
    hub = await startHubServer();
    await hub.addRepo('t/m', { files: { 'model.safetensors': bytes(10) }, faults: [{ kind: 'huge', file: 'model.safetensors', size: 3e9 }] });
    const error = await downloadFile(`${hub.url}/t/m/resolve/main/model.safetensors`, { fetch: fetchFn, file: 'model.safetensors', memoryFactor: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelTooLargeError);
    expect((error as Error).message).toBe(
      'This model needs more memory than the browser can give it: model.safetensors is 3,000 MB; loading it needs about 6,000 MB at the peak, ' +
        'but the browser can hold at most 2,147 MB per model file. Use a smaller model (for example autogluon/chronos-2-small).',
    );
  });

  it('stops when cancelled, and names an unreachable server', async () => {
    hub = await startHubServer();
    await hub.addRepo('t/m', { files: { 'model.safetensors': bytes(10) }, faults: [{ kind: 'huge', file: 'model.safetensors', size: 1000 }] });
    const controller = new AbortController();
    const pending = downloadFile(`${hub.url}/t/m/resolve/main/model.safetensors`, { fetch: fetchFn, file: 'm', signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });

    const closed = await serve((_req, res) => res.end());
    plain!.close();
    plain!.closeAllConnections();
    plain = null;
    const error = await downloadFile(`${closed}/x`, { fetch: fetchFn, file: 'config.json' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubNetworkError);
    expect((error as Error).message).toMatch(/Could not reach 127\.0\.0\.1:\d+ for config\.json/);
  });
});
