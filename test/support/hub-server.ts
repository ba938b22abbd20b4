// A stand-in for the Hugging Face hub on 127.0.0.1, for unit and browser tests (the real hub is not reachable
// here, and tests must not depend on it). It serves repositories in the hub's URL layout,
// `/<repo>/resolve/<revision>/<file>`: small files directly with a git-style ETag, large files (.safetensors,
// .onnx) through a 302 redirect to a content-addressed `/cdn/<sha256>` URL whose ETag is the SHA-256, as the hub
// does. The CDN side honours Range / If-Range (206, 416), answers HEAD, and sends the CORS headers the hub sends,
// so a browser page on another origin can read ETag and Content-Range. Faults are configured per repository: gated
// (401 unless the right token is sent), a connection dropped after N bytes, a file that claims an impossible size,
// and the faults of real networks and servers: a body without Content-Length (chunked), a gzip-encoded body, an
// endless body, a stall mid-file, a 1 byte/s drip, an HTTP 500 and a redirect loop.
// Every request is logged, so tests can assert what was (not) requested.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Transform } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';

/** What a repository file holds: a path on disk or bytes in memory. */
export type HubFileContent = string | Uint8Array;

/** A fault of one repository. */
export type HubFault =
  /** The repository is gated: 401 (GatedRepo) unless `Authorization: Bearer <token>` is sent. */
  | { kind: 'gated'; token: string }
  /** The connection of the next `times` (default 1) full downloads of `file` is dropped after `afterBytes` bytes. */
  | { kind: 'drop'; file: string; afterBytes: number; times?: number }
  /** `file` claims to be `size` bytes (Content-Length) and never sends its body. */
  | { kind: 'huge'; file: string; size: number }
  /** `file` is sent without Content-Length (chunked transfer encoding); Range requests are refused (200). */
  | { kind: 'chunked'; file: string }
  /** `file` is sent gzip-compressed (`Content-Encoding: gzip`, Content-Length of the compressed bytes). */
  | { kind: 'gzip'; file: string }
  /** `file` is sent without Content-Length and never ends: its bytes repeated until the client goes away. */
  | { kind: 'endless'; file: string }
  /** The next `times` (default 1) full downloads of `file` send `afterBytes` bytes, then nothing (the connection stays open). */
  | { kind: 'stall'; file: string; afterBytes: number; times?: number }
  /** `file` trickles at one byte per second (every full download and range). */
  | { kind: 'drip'; file: string }
  /** `file` answers this HTTP status (e.g. 500) on its resolve URL. */
  | { kind: 'status'; file: string; status: number }
  /** `file`'s resolve URL redirects to itself, forever. */
  | { kind: 'redirect-loop'; file: string };

/** A repository at one revision. */
export interface HubRepoSpec {
  files: Record<string, HubFileContent>;
  /** Branch name (default `main`); the commit id is served as a revision too. */
  revision?: string;
  faults?: HubFault[];
  /** Serve large files at most this fast, bytes per second (a real network's pace; default: as fast as possible). */
  rate?: number;
}

/** One logged request. */
export interface HubRequest {
  method: string;
  path: string;
  status: number;
  range?: string;
  authorized: boolean;
}

/** A running stand-in hub. */
export interface TestHub {
  /** Base URL, e.g. `http://127.0.0.1:43123`. */
  url: string;
  /** Requests in arrival order (OPTIONS preflights excluded). */
  requests: HubRequest[];
  /** Adds or replaces a repository; resolves once its files are hashed and it is served. */
  addRepo(repo: string, spec: HubRepoSpec): Promise<HubRepoInfo>;
  close(): Promise<void>;
}

/** What the stand-in hub serves for a repository. */
export interface HubRepoInfo {
  commit: string;
  files: Record<string, { size: number; sha256: string }>;
}

interface StoredFile {
  content: HubFileContent;
  size: number;
  sha256: string;
  gitSha: string;
}

interface StoredRepo {
  revision: string;
  commit: string;
  files: Map<string, StoredFile>;
  faults: HubFault[];
  /** Remaining drops per file. */
  drops: Map<string, number>;
  /** Remaining stalls per file. */
  stalls: Map<string, number>;
  rate?: number;
}

const EXPOSED = 'ETag, X-Linked-Etag, X-Linked-Size, X-Repo-Commit, X-Error-Code, X-Error-Message, Content-Range, Accept-Ranges, Content-Length';
const LARGE = /\.(safetensors|onnx|bin)$/;

async function describeFile(content: HubFileContent): Promise<StoredFile> {
  const sha256 = createHash('sha256');
  const gitSha = createHash('sha1');
  let size: number;
  if (typeof content === 'string') {
    size = (await fs.stat(content)).size;
    gitSha.update(`blob ${size}\0`);
    await new Promise<void>((resolve, reject) => {
      createReadStream(content, { highWaterMark: 8 * 1024 * 1024 })
        .on('data', (chunk) => {
          sha256.update(chunk);
          gitSha.update(chunk);
        })
        .on('end', resolve)
        .on('error', reject);
    });
  } else {
    size = content.byteLength;
    gitSha.update(`blob ${size}\0`);
    sha256.update(content);
    gitSha.update(content);
  }
  return { content, size, sha256: sha256.digest('hex'), gitSha: gitSha.digest('hex') };
}

function setCors(res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', EXPOSED);
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain', 'X-Error-Code': code, 'X-Error-Message': message });
  res.end(message);
}

/**
 * Drops a connection mid-body, as a failing network does: after a pause, so that the bytes already sent reach the
 * client first (a browser discards data that arrives together with the reset).
 */
function dropLater(res: ServerResponse): void {
  setTimeout(() => res.socket?.destroy(), 300);
}

/** A stream that passes bytes on at most `rate` bytes per second. */
function throttle(rate: number): Transform {
  const started = Date.now();
  let sent = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sent += chunk.length;
      const due = started + (sent / rate) * 1000;
      setTimeout(() => done(null, chunk), Math.max(0, due - Date.now()));
    },
  });
}

/** Parses a single `bytes=a-b` / `bytes=a-` range against a size; null when absent or malformed, 'unsatisfiable' past the end. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const match = header ? /^bytes=(\d+)-(\d*)$/.exec(header.trim()) : null;
  if (!match) return null;
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

/** Starts the stand-in hub on 127.0.0.1 (a free port unless `port` is given). */
export async function startHubServer(options: { port?: number } = {}): Promise<TestHub> {
  const repos = new Map<string, Promise<StoredRepo>>();
  const blobs = new Map<string, { file: StoredFile; repo: StoredRepo; name: string }>();
  const requests: HubRequest[] = [];

  const serveBlob = (req: IncomingMessage, res: ServerResponse, log: HubRequest, stored: { file: StoredFile; repo: StoredRepo; name: string }): void => {
    const { file, repo, name } = stored;
    const huge = repo.faults.find((f): f is Extract<HubFault, { kind: 'huge' }> => f.kind === 'huge' && f.file === name);
    res.setHeader('ETag', `"${file.sha256}"`);
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Type', 'application/octet-stream');
    if (huge) {
      log.status = 200;
      res.writeHead(200, { 'Content-Length': String(huge.size) });
      if (req.method === 'HEAD') res.end();
      else res.flushHeaders(); // and never a body: the client must refuse before reading it
      return;
    }
    const fault = <K extends HubFault['kind']>(kind: K): Extract<HubFault, { kind: K }> | undefined =>
      repo.faults.find((f): f is Extract<HubFault, { kind: K }> => f.kind === kind && 'file' in f && f.file === name);
    const whole = (): Uint8Array => (typeof file.content === 'string' ? new Uint8Array(readFileSync(file.content)) : file.content);
    if (req.method === 'GET' && (fault('chunked') || fault('endless'))) {
      log.status = 200;
      res.writeHead(200); // no Content-Length: Node sends the body chunked
      const bytes = whole();
      if (fault('chunked')) {
        res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
        setTimeout(() => res.end(bytes.subarray(Math.floor(bytes.length / 2))), 20);
        return;
      }
      const more = (): void => {
        if (res.destroyed) return;
        if (res.write(bytes)) setImmediate(more);
        else res.once('drain', more);
      };
      more();
      return;
    }
    if (req.method === 'GET' && fault('gzip')) {
      const packed = gzipSync(whole());
      log.status = 200;
      res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': String(packed.length) });
      res.end(packed);
      return;
    }
    const ifRange = req.headers['if-range'];
    const range = ifRange === undefined || ifRange === `"${file.sha256}"` ? parseRange(req.headers.range, file.size) : null;
    if (range === 'unsatisfiable') {
      log.status = 416;
      res.writeHead(416, { 'Content-Range': `bytes */${file.size}` }).end();
      return;
    }
    const start = range?.start ?? 0;
    const end = range?.end ?? file.size - 1;
    const length = end - start + 1;
    log.status = range ? 206 : 200;
    res.writeHead(log.status, {
      'Content-Length': String(length),
      ...(range ? { 'Content-Range': `bytes ${start}-${end}/${file.size}` } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stalls = repo.stalls.get(name) ?? 0;
    const stall = !range && stalls > 0 ? fault('stall') : undefined;
    if (stall) {
      repo.stalls.set(name, stalls - 1);
      res.write(whole().subarray(0, stall.afterBytes)); // and then nothing, with the connection open
      return;
    }
    if (fault('drip')) {
      const bytes = whole().subarray(start, end + 1);
      let at = 0;
      const tick = (): void => {
        if (res.destroyed || at >= bytes.length) return void res.end();
        res.write(bytes.subarray(at, at + 1));
        at += 1;
        setTimeout(tick, 1000);
      };
      tick();
      return;
    }
    const drops = repo.drops.get(name) ?? 0;
    const drop = !range && drops > 0 ? repo.faults.find((f): f is Extract<HubFault, { kind: 'drop' }> => f.kind === 'drop' && f.file === name) : undefined;
    if (drop) repo.drops.set(name, drops - 1);
    const source =
      typeof file.content === 'string'
        ? createReadStream(file.content, { start, end: drop ? Math.min(end, start + drop.afterBytes - 1) : end, highWaterMark: 1024 * 1024 })
        : null;
    if (source) {
      (repo.rate ? source.pipe(throttle(repo.rate)) : source).pipe(res, { end: !drop });
      if (drop) source.on('end', () => dropLater(res));
      return;
    }
    const bytes = file.content as Uint8Array;
    if (drop) {
      res.write(bytes.subarray(start, Math.min(end + 1, start + drop.afterBytes)), () => dropLater(res));
      return;
    }
    res.end(bytes.subarray(start, end + 1));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    setCors(res);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
        'Access-Control-Allow-Headers': 'Range, If-Range, Authorization',
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return;
    }
    const path = new URL(req.url ?? '/', 'http://hub').pathname;
    const log: HubRequest = {
      method: req.method ?? 'GET',
      path,
      status: 0,
      authorized: typeof req.headers.authorization === 'string',
      ...(typeof req.headers.range === 'string' ? { range: req.headers.range } : {}),
    };
    requests.push(log);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      log.status = 405;
      res.writeHead(405).end();
      return;
    }
    const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(path);
    if (cdn) {
      const blob = blobs.get(cdn[1]);
      if (!blob) {
        log.status = 404;
        fail(res, 404, 'EntryNotFound', 'No such object.');
        return;
      }
      serveBlob(req, res, log, blob);
      return;
    }
    const match = /^\/(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (!match) {
      log.status = 404;
      fail(res, 404, 'RepoNotFound', 'Not found.');
      return;
    }
    const [, repoId, revisionRaw, fileName] = match.map((part) => decodeURIComponent(part));
    const pending = repos.get(repoId);
    if (!pending) {
      log.status = 404;
      fail(res, 404, 'RepoNotFound', `Repository not found: ${repoId}.`);
      return;
    }
    const repo = await pending;
    const gated = repo.faults.find((f): f is Extract<HubFault, { kind: 'gated' }> => f.kind === 'gated');
    if (gated && req.headers.authorization !== `Bearer ${gated.token}`) {
      log.status = 401;
      fail(res, 401, 'GatedRepo', `Access to model ${repoId} is restricted. You must have access to it and be authenticated to access it. Please log in.`);
      return;
    }
    if (revisionRaw !== repo.revision && revisionRaw !== repo.commit) {
      log.status = 404;
      fail(res, 404, 'RevisionNotFound', `Invalid rev id: ${revisionRaw}`);
      return;
    }
    const file = repo.files.get(fileName);
    if (!file) {
      log.status = 404;
      fail(res, 404, 'EntryNotFound', `${fileName} does not exist on "${revisionRaw}"`);
      return;
    }
    res.setHeader('X-Repo-Commit', repo.commit);
    const status = repo.faults.find((f): f is Extract<HubFault, { kind: 'status' }> => f.kind === 'status' && f.file === fileName);
    if (status) {
      log.status = status.status;
      fail(res, status.status, 'InternalError', 'Something went wrong on our side.');
      return;
    }
    if (repo.faults.some((f) => f.kind === 'redirect-loop' && f.file === fileName)) {
      log.status = 302;
      res.writeHead(302, { Location: path }).end();
      return;
    }
    if (LARGE.test(fileName) || repo.faults.some((f) => f.kind !== 'gated' && f.kind !== 'status' && f.kind !== 'redirect-loop' && f.file === fileName)) {
      blobs.set(file.sha256, { file, repo, name: fileName });
      log.status = 302;
      res.writeHead(302, {
        Location: `/cdn/${file.sha256}`,
        ETag: `"${file.sha256}"`,
        'X-Linked-Etag': `"${file.sha256}"`,
        'X-Linked-Size': String(file.size),
      });
      res.end();
      return;
    }
    log.status = 200;
    res.writeHead(200, { 'Content-Length': String(file.size), ETag: `"${file.gitSha}"`, 'Content-Type': 'application/json' });
    if (req.method === 'HEAD') res.end();
    else if (typeof file.content === 'string') createReadStream(file.content).pipe(res);
    else res.end(file.content);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(e));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async addRepo(repo, spec) {
      const commit = createHash('sha1').update(`${repo}:${Object.keys(spec.files).join(',')}:${Date.now()}:${Math.random()}`).digest('hex');
      const stored = (async (): Promise<StoredRepo> => {
        const files = new Map<string, StoredFile>();
        for (const [name, content] of Object.entries(spec.files)) files.set(name, await describeFile(content));
        const faults = spec.faults ?? [];
        const drops = new Map<string, number>();
        const stalls = new Map<string, number>();
        for (const f of faults) if (f.kind === 'drop') drops.set(f.file, f.times ?? 1);
        for (const f of faults) if (f.kind === 'stall') stalls.set(f.file, f.times ?? 1);
        return { revision: spec.revision ?? 'main', commit, files, faults, drops, stalls, ...(spec.rate ? { rate: spec.rate } : {}) };
      })();
      stored.catch(() => undefined);
      repos.set(repo, stored);
      const ready = await stored;
      return { commit, files: Object.fromEntries([...ready.files].map(([name, f]) => [name, { size: f.size, sha256: f.sha256 }])) };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
