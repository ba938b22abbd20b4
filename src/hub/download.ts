// Downloads one file over fetch (browser worker and Node alike) the way a 500 MB model needs it: straight into
// one buffer preallocated from Content-Length (no chunk list and no concatenating copy), with byte progress and
// speed, a clear error before allocating what the browser cannot hold, the first bytes inspected as they arrive
// (a broken safetensors header fails in milliseconds, not after the whole file), a SHA-256 computed on the way,
// and, when the connection drops or stalls, the bytes received so far kept so that the next attempt resumes with an
// HTTP Range request. A body without Content-Length (chunked, gzip-encoded) grows within a bound: the size its
// inspected header describes, else the ceiling. A download that makes no progress for a stated period times out.
// A file whose size or hash does not match what the server announced is never returned.
import { createSHA256 } from 'hash-wasm';
import {
  DownloadIntegrityError,
  DownloadInterruptedError,
  DownloadStalledError,
  HubHttpError,
  HubNetworkError,
  HubRedirectError,
  ModelTooLargeError,
} from './errors';

/** Largest model file accepted by default: onnxruntime-web is wasm32 and protobuf files stop at 2 GiB. */
export const DEFAULT_MAX_MODEL_BYTES = 2 * 1024 ** 3;

/** How long a download may go without progress before it is stopped (default of `stallTimeoutMs`), ms. */
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;

/**
 * Progress means at least this many bytes per stall period (16 KiB per 30 s is about 550 B/s): a 1 byte/s drip
 * never finishes a model, so it counts as a stall, not as progress.
 */
export const MIN_BYTES_PER_STALL_PERIOD = 16 * 1024;

/** What an `inspect` callback learnt: done, and (when the header says) the exact size of the whole file. */
export type InspectResult = boolean | { expectedBytes: number };

/** Progress of one file. */
export interface DownloadProgress {
  phase: 'download';
  file: string;
  loaded: number;
  /** Size of the file, when the server said. */
  total?: number;
  /** Recent speed (about the last two seconds). */
  bytesPerSecond?: number;
  /** Set when this attempt resumed an interrupted one at this byte. */
  resumedFrom?: number;
}

/** What an interrupted download leaves behind, to be resumed. Lives in memory only, never in a cache. */
export interface PartialDownload {
  /** The URL first asked for (before redirects): the identity of the download. */
  url: string;
  /** The preallocated buffer (its length is the file size). */
  bytes: Uint8Array;
  /** How many leading bytes of `bytes` are valid. */
  received: number;
  /** The server's strong ETag, sent as If-Range so a changed file restarts instead of mixing versions. */
  etag?: string;
}

/** A complete, verified file. */
export interface DownloadedFile {
  bytes: Uint8Array;
  /** Hex SHA-256 of `bytes`. */
  sha256: string;
  /** The server's ETag (quotes and weak prefix removed), if it sent one we could read. */
  etag?: string;
  /** Where the bytes came from after redirects. */
  finalUrl: string;
  /** `X-Repo-Commit` (the hub's resolved commit), when exposed. */
  commit?: string;
}

/** Options of {@link downloadFile}. */
export interface DownloadOptions {
  fetch: typeof fetch;
  /** Name used in progress and messages, e.g. `model.safetensors`. */
  file: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Largest size accepted, bytes (default {@link DEFAULT_MAX_MODEL_BYTES}). */
  maxBytes?: number;
  /** How the caller will use the file, for the too-large message: its peak need as a multiple of its size. */
  memoryFactor?: number;
  onProgress?: (progress: DownloadProgress) => void;
  /** An interrupted earlier attempt at the same URL; resumed with `Range` when the server allows it. */
  resume?: PartialDownload | null;
  /**
   * Looks at the leading bytes while they arrive: called with everything received so far and the file's size
   * (undefined when the server did not say) until it returns true or `{expectedBytes}` (done; the latter bounds
   * a body without Content-Length). Called once more with the whole file when the size was unknown. Throwing
   * stops the download with that error (and nothing is kept to resume).
   */
  inspect?: (received: Uint8Array, total: number | undefined) => InspectResult;
  /**
   * Stop when fewer than {@link MIN_BYTES_PER_STALL_PERIOD} bytes arrived in this many ms (also while waiting for
   * the response headers); default {@link DEFAULT_STALL_TIMEOUT_MS}. The bytes received are kept to resume.
   */
  stallTimeoutMs?: number;
  /** What the file belongs to, for messages (e.g. the repository `owner/name`). */
  subject?: string;
  /** Turns an HTTP error status into the error to throw (default: {@link HubHttpError}). */
  httpError?: (response: Response, url: string) => Error;
}

const MiB = 1024 * 1024;

/** "478.1 MB" for messages. */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toLocaleString('en-US', { maximumFractionDigits: bytes < 1e7 ? 1 : 0 })} MB`;
}

/** The ETag without `W/` and quotes; undefined for weak ETags (useless for If-Range and hashes). */
export function strongEtag(value: string | null): string | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (trimmed.startsWith('W/')) return undefined;
  return trimmed.replace(/^"|"$/g, '') || undefined;
}

/** Whether an ETag is a SHA-256 (the hub's ETag of large files is the SHA-256 of their content). */
export function isSha256(value: string | undefined): value is string {
  return value !== undefined && /^[0-9a-f]{64}$/.test(value);
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const error = new Error('The download was cancelled.');
  error.name = 'AbortError';
  return error;
}

/** Parses `Content-Range: bytes a-b/total`. */
function parseContentRange(value: string | null): { start: number; end: number; total: number } | null {
  const match = value ? /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value.trim()) : null;
  if (!match) return null;
  const [start, end, total] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return Number.isSafeInteger(total) && start <= end && end < total ? { start, end, total } : null;
}

/**
 * Allocates the buffer for a file, or explains why it cannot be held.
 * @throws ModelTooLargeError above `maxBytes`, or when the allocation itself fails
 */
export function allocateModelBuffer(size: number, file: string, maxBytes: number, memoryFactor = 1): Uint8Array {
  const need = `${file} is ${megabytes(size)}${memoryFactor > 1 ? `; loading it needs about ${megabytes(size * memoryFactor)} at the peak` : ''}`;
  if (size > maxBytes) {
    throw new ModelTooLargeError(
      `This model needs more memory than the browser can give it: ${need}, but the browser can hold at most ` +
        `${megabytes(maxBytes)} per model file. Use a smaller model (for example autogluon/chronos-2-small).`,
    );
  }
  try {
    return new Uint8Array(size);
  } catch (e) {
    throw new ModelTooLargeError(
      `This model needs more memory than the browser can give it: ${need}, and allocating ${megabytes(size)} failed ` +
        `(${e instanceof Error ? e.message : String(e)}). Close other tabs or use a smaller model.`,
    );
  }
}

/** Tracks speed over a sliding window of about two seconds. */
class SpeedMeter {
  private readonly samples: Array<{ t: number; bytes: number }> = [];

  constructor(start: number) {
    this.samples.push({ t: performance.now(), bytes: start });
  }

  add(bytes: number): number | undefined {
    const t = performance.now();
    this.samples.push({ t, bytes });
    while (this.samples.length > 2 && t - this.samples[1].t > 2000) this.samples.shift();
    const first = this.samples[0];
    const dt = (t - first.t) / 1000;
    return dt > 0.05 ? (bytes - first.bytes) / dt : undefined;
  }
}

/**
 * Downloads `url` completely into memory.
 *
 * Redirects are followed. With `resume`, the request asks for the missing tail (`Range`, `If-Range`); a `206`
 * continues the buffer, a `200` (file changed, or no range support) starts over. The file is verified before it
 * is returned: its length must equal Content-Length, and when the server's ETag is a SHA-256 (as the hub's is for
 * large files) the content must hash to it.
 *
 * @throws ModelTooLargeError, HubNetworkError, HubRedirectError, DownloadInterruptedError or DownloadStalledError
 *   (carrying the partial download), DownloadIntegrityError (also for a body that exceeds its bound), the `httpError` of a failed status, an AbortError when `signal` aborts, or whatever
 *   `inspect` throws.
 */
export async function downloadFile(url: string, options: DownloadOptions): Promise<DownloadedFile> {
  const { signal } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MODEL_BYTES;
  const resume = options.resume && options.resume.url === url && options.resume.received > 0 ? options.resume : null;
  const headers: Record<string, string> = { ...options.headers };
  if (resume) {
    headers.Range = `bytes=${resume.received}-`;
    if (resume.etag) headers['If-Range'] = `"${resume.etag}"`;
  }

  const watchdog = new StallWatchdog(options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS, signal);
  try {
    return await download(url, options, resume, headers, watchdog, maxBytes);
  } finally {
    watchdog.stop();
  }
}

async function download(
  url: string,
  options: DownloadOptions,
  resume: PartialDownload | null,
  headers: Record<string, string>,
  watchdog: StallWatchdog,
  maxBytes: number,
): Promise<DownloadedFile> {
  const { file, signal } = options;
  let response: Response;
  try {
    response = await options.fetch(url, { headers, signal: watchdog.signal, redirect: 'follow', cache: 'no-store' });
  } catch (e) {
    if (signal?.aborted) throw abortError(signal);
    const host = safeHost(url);
    const reason = e instanceof Error ? e.message : String(e);
    const stalled = watchdog.stalled;
    if (stalled) {
      const message = `${file}: ${host} did not answer within ${seconds(stalled.periodMs)}. Check your network connection, then Retry.`;
      throw new DownloadStalledError(resume ? `${message} ${megabytes(resume.received)} of ${megabytes(resume.bytes.length)} are kept, and Retry resumes from there.` : message, resume);
    }
    const redirect = await redirectProblem(options.fetch, url, e, headers);
    if (redirect) throw new HubRedirectError(`${host} answered ${file}${options.subject ? ` of ${options.subject}` : ''} with ${redirect}. The hub URL may point at a misconfigured mirror or proxy.`);
    if (resume) {
      throw new DownloadInterruptedError(
        `${file}: the server at ${host} cannot be reached (${reason}); ${megabytes(resume.received)} of ` +
          `${megabytes(resume.bytes.length)} are kept, and Retry resumes from there.`,
        resume,
      );
    }
    throw new HubNetworkError(`Could not reach ${host} for ${file} (${reason}). Check the hub URL and your network connection.${cspHint(url)}`);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    if (response.status === 416 && resume) {
      // The range no longer fits the file: start over.
      return download(url, { ...options, resume: null }, null, withoutRange(headers), watchdog, maxBytes);
    }
    throw options.httpError?.(response, url) ?? new HubHttpError(`${file}: HTTP ${response.status} ${response.statusText} from ${safeHost(url)}.`, response.status);
  }

  const etag = strongEtag(response.headers.get('x-linked-etag')) ?? strongEtag(response.headers.get('etag'));
  const commit = response.headers.get('x-repo-commit') ?? undefined;
  let buffer: Uint8Array;
  let offset = 0;
  let total: number | undefined;
  let resumedFrom: number | undefined;
  let lengthIsHint = false;
  if (response.status === 206) {
    const range = parseContentRange(response.headers.get('content-range'));
    if (!resume || !range || range.start !== resume.received || range.total !== resume.bytes.length) {
      await response.body?.cancel().catch(() => undefined);
      // An answer for another range or another file size: start over rather than mix bytes.
      if (resume) return download(url, { ...options, resume: null }, null, withoutRange(headers), watchdog, maxBytes);
      throw new DownloadIntegrityError(`${file}: the server sent a partial response that was not asked for; try again.`);
    }
    buffer = resume.bytes;
    offset = resume.received;
    total = range.total;
    resumedFrom = offset;
  } else {
    const header = response.headers.get('content-length');
    const length = header === null ? NaN : Number(header);
    const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
    total = Number.isSafeInteger(length) && length >= 0 && !encoded ? length : undefined;
    // A cross-origin response hides Content-Encoding unless the server exposes it, so a gzip-encoded body may
    // arrive decoded under the encoded size: then Content-Length is only a hint, and the hash decides.
    lengthIsHint = total !== undefined && response.type === 'cors' && response.headers.get('content-encoding') === null;
    if (total !== undefined) {
      try {
        buffer = resume && resume.bytes.length === total ? resume.bytes : allocateModelBuffer(total, file, maxBytes, options.memoryFactor);
      } catch (e) {
        await response.body?.cancel().catch(() => undefined);
        throw e;
      }
    } else {
      buffer = new Uint8Array(0);
    }
  }

  const body = response.body;
  if (body === null) throw new DownloadIntegrityError(`${file}: the server sent no content.`);
  const hash = await createSHA256();
  hash.init();
  // A resumed buffer's prefix is hashed again (fast: about 1 GB/s) instead of carrying hash state around.
  for (let at = 0; at < offset; at += 16 * MiB) hash.update(buffer.subarray(at, Math.min(offset, at + 16 * MiB)));

  watchdog.progress(offset);
  const speed = new SpeedMeter(offset);
  const step = Math.max(64 * 1024, Math.ceil((total ?? 0) / 200));
  let reported = -Infinity;
  let lastReport = 0;
  const report = (force: boolean): void => {
    const now = performance.now();
    if (!force && offset - reported < step && now - lastReport < 250) return;
    // The last report of a complete file carries no speed: there is nothing left to estimate.
    const bytesPerSecond = total !== undefined && offset >= total ? undefined : speed.add(offset);
    reported = offset;
    lastReport = now;
    options.onProgress?.({
      phase: 'download',
      file,
      loaded: offset,
      ...(total !== undefined ? { total } : {}),
      ...(bytesPerSecond !== undefined ? { bytesPerSecond } : {}),
      ...(resumedFrom !== undefined ? { resumedFrom } : {}),
    });
  };
  let inspecting = options.inspect !== undefined;
  /** The whole file's size as its inspected header describes it, when the server did not say. */
  let expected: number | undefined;
  const keep = (): PartialDownload | null =>
    total !== undefined && offset > 0 && buffer.length === total ? { url, bytes: buffer, received: offset, ...(etag ? { etag } : {}) } : null;

  report(true);
  const reader = openReader(body);
  try {
    for (;;) {
      let value: Uint8Array | null;
      try {
        value = await reader.read();
      } catch (e) {
        if (signal?.aborted) throw abortError(signal);
        const partial = keep();
        const stalled = watchdog.stalled;
        if (stalled) {
          const what =
            stalled.bytes === 0
              ? `no data arrived for ${seconds(stalled.periodMs)}`
              : `only ${stalled.bytes} byte${stalled.bytes === 1 ? '' : 's'} arrived in the last ${seconds(stalled.periodMs)} (a download must move at least ${Math.round(MIN_BYTES_PER_STALL_PERIOD / 1024)} KB per ${seconds(stalled.periodMs)})`;
          throw new DownloadStalledError(
            `The download of ${file} stalled: ${what}, after ${megabytes(offset)}${total !== undefined ? ` of ${megabytes(total)}` : ''}. Nothing was cached. ` +
              (partial ? 'Retry resumes the download from there.' : 'Retry starts the download again.'),
            partial,
          );
        }
        throw new DownloadInterruptedError(
          `The connection dropped while downloading ${file} (${e instanceof Error ? e.message : String(e)}) after ` +
            `${megabytes(offset)}${total !== undefined ? ` of ${megabytes(total)}` : ''}. Nothing was cached. ` +
            (partial ? 'Retry resumes the download from there.' : 'Retry starts the download again.'),
          partial,
        );
      }
      if (value === null) break;
      if (expected !== undefined && offset + value.byteLength > expected) {
        throw new DownloadIntegrityError(
          `${file}: the server kept sending past the ${expected.toLocaleString('en-US')} bytes its safetensors header describes (it sent no Content-Length); ` +
            'the download was stopped and discarded. The server or a proxy is misbehaving; try again later.',
        );
      }
      if (offset + value.byteLength > buffer.length) {
        if (total !== undefined && lengthIsHint) {
          // More than Content-Length: a body decoded from an encoding we were not told about. Size unknown from here.
          total = undefined;
        }
        if (total !== undefined) {
          throw new DownloadIntegrityError(`${file}: the server sent more than the ${megabytes(total)} it announced; the download was discarded.`);
        }
        if (expected !== undefined) {
          throw new DownloadIntegrityError(
            `${file}: the server kept sending past the ${expected.toLocaleString('en-US')} bytes its safetensors header describes (it sent no Content-Length); ` +
              'the download was stopped and discarded. The server or a proxy is misbehaving; try again later.',
          );
        }
        if (offset + value.byteLength > maxBytes) {
          throw new DownloadIntegrityError(
            `${file}: the server sent more than ${megabytes(maxBytes)} without saying how large the file is (no Content-Length), more than ${file} can be; ` +
              'the download was stopped and discarded. The server or a proxy is misbehaving; try again later.',
          );
        }
        buffer = grow(buffer, offset + value.byteLength, file, maxBytes, options.memoryFactor);
      }
      buffer.set(value, offset);
      hash.update(value);
      offset += value.byteLength;
      watchdog.progress(offset);
      if (inspecting) {
        const result = options.inspect!(buffer.subarray(0, offset), lengthIsHint ? undefined : total);
        if (result !== false) {
          inspecting = false;
          if (typeof result === 'object' && lengthIsHint && result.expectedBytes === total) {
            // The header confirms Content-Length: the body is not encoded after all (and can be resumed).
            lengthIsHint = false;
          } else if (typeof result === 'object' && (total === undefined || lengthIsHint)) {
            // The header knows the size better than a Content-Length that may be the encoded one.
            total = undefined;
            lengthIsHint = false;
            expected = result.expectedBytes;
            if (expected < offset) {
              throw new DownloadIntegrityError(
                `${file}: the server kept sending past the ${expected.toLocaleString('en-US')} bytes its safetensors header describes (it sent no Content-Length); ` +
                  'the download was stopped and discarded. The server or a proxy is misbehaving; try again later.',
              );
            }
            // One buffer of the described size from here on (no more doubling).
            if (expected > buffer.length) buffer = grow(buffer, expected, file, maxBytes, options.memoryFactor, expected);
          }
        }
      }
      report(false);
    }
  } catch (e) {
    await reader.cancel(e).catch(() => undefined);
    throw e;
  } finally {
    reader.release();
  }
  // The last bytes' report, unless the loop's last report already said them (a listener hears the end once).
  if (reported !== offset) report(true);

  if (total !== undefined && offset < total && lengthIsHint && isSha256(etag)) {
    // Fewer bytes than Content-Length, but possibly a decoded body (see lengthIsHint): the SHA-256 below decides.
    total = undefined;
  }
  if (total === undefined) {
    buffer = buffer.length === offset ? buffer : buffer.slice(0, offset);
  } else if (offset !== total) {
    const partial = keep();
    throw new DownloadInterruptedError(
      `The connection closed early while downloading ${file}: ${megabytes(offset)} of ${megabytes(total)} arrived. ` +
        `Nothing was cached. ${partial ? 'Retry resumes the download from there.' : 'Retry starts the download again.'}`,
      partial,
    );
  }
  if (inspecting || total === undefined) options.inspect?.(buffer, buffer.length);
  const sha256 = hash.digest('hex');
  if (isSha256(etag) && etag !== sha256) {
    throw new DownloadIntegrityError(
      `${file} is corrupt: its SHA-256 (${sha256.slice(0, 12)}…) does not match the server's (${etag.slice(0, 12)}…). ` +
        'It was discarded and nothing was cached; try again.',
    );
  }
  return { bytes: buffer, sha256, finalUrl: response.url || url, ...(etag ? { etag } : {}), ...(commit ? { commit } : {}) };
}

/** Reads a body chunk by chunk; `read` resolves null at the end. */
interface ChunkReader {
  read(): Promise<Uint8Array | null>;
  cancel(reason: unknown): Promise<void>;
  release(): void;
}

const SCRATCH_BYTES = 1024 * 1024;

/**
 * A reader over a response body. Where the body is a byte stream (browsers, Node), chunks are read into one
 * reused 1 MiB scratch buffer (a BYOB reader), so a 500 MB download does not leave 500 MB of chunk garbage for
 * the collector while the model is being converted. Each chunk is valid until the next read.
 * NOTE: the scratch, not the model buffer, is handed to the stream: a BYOB buffer is lost when the stream errors,
 * and the model buffer must survive a dropped connection to be resumed.
 */
function openReader(body: ReadableStream<Uint8Array>): ChunkReader {
  let byob: ReadableStreamBYOBReader | null = null;
  try {
    byob = body.getReader({ mode: 'byob' });
  } catch {
    byob = null;
  }
  if (byob) {
    const reader = byob;
    let scratch: ArrayBuffer = new ArrayBuffer(SCRATCH_BYTES);
    return {
      async read() {
        const { done, value } = await reader.read(new Uint8Array(scratch, 0, SCRATCH_BYTES));
        if (value) scratch = value.buffer as ArrayBuffer;
        return done ? null : (value ?? null);
      },
      cancel: (reason) => reader.cancel(reason),
      release: () => reader.releaseLock(),
    };
  }
  const reader = body.getReader();
  return {
    async read() {
      const { done, value } = await reader.read();
      return done ? null : value;
    },
    cancel: (reason) => reader.cancel(reason),
    release: () => reader.releaseLock(),
  };
}

/** Grows a buffer of unknown final size (no Content-Length): doubling, within the ceiling (or to `exact`). */
function grow(buffer: Uint8Array, needed: number, file: string, maxBytes: number, memoryFactor: number | undefined, exact?: number): Uint8Array {
  const size = exact ?? Math.min(Math.max(needed, buffer.length * 2, MiB), Math.max(needed, maxBytes));
  const next = allocateModelBuffer(size, file, maxBytes, memoryFactor);
  next.set(buffer);
  return next;
}

/**
 * In the app, the Content-Security-Policy (src/csp.ts) lets pages connect to any https host but to plain http
 * only on this computer: say so when a plain-http hub elsewhere could not be reached.
 */
function cspHint(url: string): string {
  const inBrowser = typeof (globalThis as { document?: unknown }).document !== 'undefined' || typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '';
  }
  if (!inBrowser || parsed.protocol !== 'http:' || parsed.hostname === 'localhost' || parsed.hostname === '127.0.0.1') return '';
  return ' This app connects to hubs over https, and over plain http only on this computer (localhost, 127.0.0.1), so that downloads and access tokens never cross the network unencrypted.';
}

/** "30 s", "0.8 s". */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

function withoutRange(headers: Record<string, string>): Record<string, string> {
  const { Range: _range, 'If-Range': _ifRange, ...rest } = headers;
  return rest;
}

/**
 * Why a failed fetch failed, when the server did answer but with redirects that cannot be followed; null when the
 * server is really unreachable. Node names the cause ("redirect count exceeded"); browsers say only "Failed to
 * fetch", so there one request with `redirect: 'manual'` shows whether the server answers with a redirect.
 */
async function redirectProblem(fetchFn: typeof fetch, url: string, error: unknown, headers: Record<string, string>): Promise<string | null> {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
  if (/redirect/i.test(cause)) return 'redirects that never end (a redirect loop, or more redirects than a browser follows)';
  try {
    const probe = await fetchFn(url, { method: 'HEAD', headers: withoutRange(headers), redirect: 'manual', cache: 'no-store', signal: AbortSignal.timeout(10_000) });
    if (probe.type === 'opaqueredirect' || (probe.status >= 300 && probe.status < 400)) {
      return 'redirects that never end (a redirect loop), or a redirect to a server that cannot be reached';
    }
  } catch {
    // Unreachable indeed.
  }
  return null;
}

/**
 * Notices a download that makes no progress: aborts its own signal (which the fetch and the body read use) when
 * fewer than {@link MIN_BYTES_PER_STALL_PERIOD} bytes arrived in one period. Forwards the caller's abort.
 */
class StallWatchdog {
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly started = performance.now();
  /** (time, bytes) at each check, kept for one period: the bytes of the last period are read from them. */
  private readonly samples: Array<{ t: number; bytes: number }> = [];
  private bytes = 0;
  private readonly forward = (): void => this.controller.abort(this.outer?.reason);
  /** Set once the download was stopped for lack of progress. */
  stalled: { periodMs: number; bytes: number } | null = null;

  constructor(
    private readonly periodMs: number,
    private readonly outer: AbortSignal | undefined,
  ) {
    if (outer?.aborted) this.controller.abort(outer.reason);
    outer?.addEventListener('abort', this.forward, { once: true });
    this.samples.push({ t: this.started, bytes: 0 });
    this.timer = setInterval(() => this.check(), Math.max(20, Math.min(1000, periodMs / 10)));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Bytes received so far (the count only grows). */
  progress(bytes: number): void {
    this.bytes = bytes;
  }

  private check(): void {
    const now = performance.now();
    this.samples.push({ t: now, bytes: this.bytes });
    // Keep the newest sample at least one period old as the reference, drop older ones.
    while (this.samples.length > 2 && now - this.samples[1].t >= this.periodMs) this.samples.shift();
    const reference = this.samples[0];
    if (now - reference.t < this.periodMs) return;
    const moved = this.bytes - reference.bytes;
    if (moved < MIN_BYTES_PER_STALL_PERIOD) {
      this.stalled = { periodMs: this.periodMs, bytes: moved };
      this.stop();
      this.controller.abort(new Error('stalled'));
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.outer?.removeEventListener('abort', this.forward);
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
