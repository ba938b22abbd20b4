// The forecasting service over real HTTP on 127.0.0.1 (port 0), the real engine and onnxruntime-node with the
// bundled model: every example payload of the endpoint reference, bad payloads, limits, 64 concurrent requests
// against separate ones, abort on disconnect, the concurrency cap and shutdown with requests in flight.
import * as http from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { predictQuantiles } from '../../src/forecast';
import { runnerFromDir } from '../../src/node/model-files';
import { loadNodeOrt, nodeSessionOptions } from '../../src/node/ort-node';
import { createForecastService, type ForecastService } from '../../src/server/http-server';
import { startForecastService, type StartedService } from '../../src/server/service';
import type { OrtModelRunner } from '../../src/runtime/ort-runner';

const MODEL_DIR = fileURLToPath(new URL('../../public/models/chronos2-mini/', import.meta.url));

/** The four example payloads of the endpoint reference (deploy-chronos-to-amazon-sagemaker.ipynb). */
const EXAMPLES = {
  univariate: {
    inputs: [{ target: [0.0, 4.0, 5.0, 1.5, -3.0, -5.0, -3.0, 1.5, 5.0, 4.0, 0.0, -4.0, -5.0, -1.5, 3.0, 5.0, 3.0, -1.5, -5.0, -4.0] }],
    parameters: { prediction_length: 10 },
  },
  metadata: {
    inputs: [
      { target: [1.0, 2.0, 3.0, 2.0, 0.5, 2.0, 3.0, 2.0, 1.0], item_id: 'product_A', start: '2024-01-01T01:00:00' },
      { target: [5.4, 3.0, 3.0, 2.0, 1.5, 2.0, -1.0], item_id: 'product_B', start: '2024-02-02T03:00:00' },
    ],
    parameters: { prediction_length: 5, freq: '1h', quantile_levels: [0.1, 0.5, 0.9] },
  },
  covariates: {
    inputs: [
      {
        target: [1.0, 2.0, 3.0, 2.0, 0.5, 2.0, 3.0, 2.0, 1.0],
        past_covariates: {
          feat_1: [3.0, 6.0, 9.0, 6.0, 1.5, 6.0, 9.0, 6.0, 3.0],
          feat_2: ['A', 'B', 'B', 'B', 'A', 'A', 'A', 'A', 'B'],
          feat_3: [10.0, 20.0, 30.0, 20.0, 5.0, 20.0, 30.0, 20.0, 10.0],
        },
        future_covariates: { feat_1: [2.5, 2.2, 3.3], feat_2: ['B', 'A', 'A'] },
      },
    ],
    parameters: { prediction_length: 3, quantile_levels: [0.1, 0.5, 0.9] },
  },
  multivariate: {
    inputs: [
      {
        target: [
          [1.0, 2.0, 3.0, 2.0, 1.0, 2.0, 3.0, 4.0],
          [5.0, 4.0, 3.0, 4.0, 5.0, 4.0, 3.0, 2.0],
          [2.0, 2.5, 3.0, 2.5, 2.0, 2.5, 3.0, 3.5],
        ],
      },
    ],
    parameters: { prediction_length: 4, quantile_levels: [0.1, 0.5, 0.9] },
  },
};

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function request(base: string, method: string, path: string, body?: string | object, headers: Record<string, string> = {}): Promise<Reply> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, {
      method,
      agent: false,
      headers: { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          // not JSON (metrics)
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const post = (base: string, body: string | object, headers?: Record<string, string>): Promise<Reply> => request(base, 'POST', '/invocations', body, headers);

/** A deterministic series of length n. */
function wave(n: number, phase: number): number[] {
  return Array.from({ length: n }, (_, t) => Math.round((10 + 3 * Math.sin((t + phase) / 4) + 0.05 * t) * 1000) / 1000);
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

let started: StartedService;
let base: string;
let reference: OrtModelRunner;

beforeAll(async () => {
  started = await startForecastService({ model: MODEL_DIR, port: 0, batchRows: 16, runtime: 'node' });
  base = started.url;
  const nodeOrt = await loadNodeOrt('node');
  reference = await runnerFromDir(MODEL_DIR, { ort: nodeOrt.ort, sessionOptions: nodeSessionOptions('node') });
});

afterAll(async () => {
  await started?.close(1000);
  await reference?.dispose();
});

/** What a direct library call gives for one endpoint request without covariates. */
async function direct(targets: Array<number[] | number[][]>, predictionLength: number, levels: number[]) {
  // The service left-pads histories to whole patches (src/server/align.ts); so does this reference call.
  const pad = <T,>(row: T[]): (T | null)[] => [...Array<null>((16 - (row.length % 16)) % 16).fill(null), ...row];
  const padded = targets.map((t) => (Array.isArray(t[0]) ? (t as number[][]).map(pad) : pad(t as number[])));
  const forecasts = await predictQuantiles(reference, padded as (number | null)[][], { predictionLength, quantileLevels: levels });
  return forecasts.map((f) => {
    const H = f.horizon;
    const L = levels.length;
    const rows = (pick: (v: number, t: number) => number) => Array.from({ length: f.numVariates }, (_, v) => Array.from({ length: H }, (_, t) => pick(v, t)));
    const shape = (r: number[][]) => (Array.isArray(targets[0][0]) ? r : r[0]);
    const out: Record<string, unknown> = { mean: shape(rows((v, t) => f.mean[v * H + t])) };
    levels.forEach((q, l) => (out[String(q)] = shape(rows((v, t) => f.quantiles[(v * H + t) * L + l]))));
    return out;
  });
}

describe('the endpoint reference examples', () => {
  it('univariate: mean and the default levels 0.1/0.5/0.9, equal to the library', async () => {
    const r = await post(base, EXAMPLES.univariate);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    const [p] = r.json.predictions;
    expect(Object.keys(p)).toEqual(['mean', '0.1', '0.5', '0.9']);
    expect(p.mean).toHaveLength(10);
    expect(p.mean).toEqual(p['0.5']);
    for (let t = 0; t < 10; t++) expect(p['0.1'][t]).toBeLessThan(p['0.9'][t]);
    expect(r.json.predictions).toEqual(await direct([EXAMPLES.univariate.inputs[0].target], 10, [0.1, 0.5, 0.9]));
  });

  it('several series with item_id and start: both echoed, start moved to the first forecast step', async () => {
    const r = await post(base, EXAMPLES.metadata);
    expect(r.status).toBe(200);
    const [a, b] = r.json.predictions;
    expect(a.item_id).toBe('product_A');
    expect(a.start).toBe('2024-01-01T10:00:00'); // 9 hourly observations from 01:00
    expect(b.item_id).toBe('product_B');
    expect(b.start).toBe('2024-02-02T10:00:00'); // 7 from 03:00
    expect(a.mean).toHaveLength(5);
    const expected = await direct(EXAMPLES.metadata.inputs.map((i) => i.target), 5, [0.1, 0.5, 0.9]);
    expect({ mean: a.mean, '0.1': a['0.1'], '0.5': a['0.5'], '0.9': a['0.9'] }).toEqual(expected[0]);
    expect({ mean: b.mean, '0.1': b['0.1'], '0.5': b['0.5'], '0.9': b['0.9'] }).toEqual(expected[1]);
  });

  it('past and known-future covariates (numeric and categorical) change the forecast', async () => {
    const r = await post(base, EXAMPLES.covariates);
    expect(r.status).toBe(200);
    const [p] = r.json.predictions;
    expect(p.mean).toHaveLength(3);
    const plain = await direct([EXAMPLES.covariates.inputs[0].target], 3, [0.1, 0.5, 0.9]);
    expect(p.mean).not.toEqual(plain[0].mean);
    expect(p.mean.every(Number.isFinite)).toBe(true);
  });

  it('multivariate: nested [dims][H] lists, equal to the library', async () => {
    const r = await post(base, EXAMPLES.multivariate);
    expect(r.status).toBe(200);
    const [p] = r.json.predictions;
    expect(p.mean).toHaveLength(3);
    for (const key of ['mean', '0.1', '0.5', '0.9']) for (const dim of p[key]) expect(dim).toHaveLength(4);
    expect(r.json.predictions).toEqual(await direct([EXAMPLES.multivariate.inputs[0].target], 4, [0.1, 0.5, 0.9]));
  });

  it('defaults: prediction_length 1; levels off the model grid are interpolated as predict_quantiles does', async () => {
    const target = wave(40, 0);
    const one = await post(base, { inputs: [{ target }] });
    expect(one.status).toBe(200);
    expect(one.json.predictions[0].mean).toHaveLength(1);
    const off = await post(base, { inputs: [{ target }], parameters: { prediction_length: 7, quantile_levels: [0.123, 0.5, 0.985] } });
    expect(off.status).toBe(200);
    expect(off.json.predictions).toEqual(await direct([target], 7, [0.123, 0.5, 0.985]));
  });

  it('a horizon beyond the model (up to 1024) is unrolled like the library', async () => {
    const target = wave(100, 1);
    const r = await post(base, { inputs: [{ target }], parameters: { prediction_length: 100 } });
    expect(r.status).toBe(200);
    expect(r.json.predictions).toEqual(await direct([target], 100, [0.1, 0.5, 0.9]));
  });

  it('cross_learning with a batch_size runs upstream\'s batches: differs from separate forecasts', async () => {
    const inputs = [0, 1, 2, 3].map((k) => ({ target: wave(30 + k, k) }));
    const separate = await post(base, { inputs, parameters: { prediction_length: 4 } });
    const shared = await post(base, { inputs, parameters: { prediction_length: 4, cross_learning: true, batch_size: 2 } });
    const all = await post(base, { inputs, parameters: { prediction_length: 4, cross_learning: true } });
    expect(shared.status).toBe(200);
    expect(all.status).toBe(200);
    expect(shared.json.predictions[0].mean).not.toEqual(separate.json.predictions[0].mean);
    // Batches {0,1} and {2,3}: series 0 does not see series 2 and 3, unlike one batch of all four.
    expect(shared.json.predictions[0].mean).not.toEqual(all.json.predictions[0].mean);
    const pair = await post(base, { inputs: inputs.slice(0, 2), parameters: { prediction_length: 4, cross_learning: true } });
    expect(shared.json.predictions.slice(0, 2)).toEqual(pair.json.predictions);
  });
});

describe('bad requests are 4xx JSON errors with a message', () => {
  const ok = { target: wave(20, 0) };
  const cases: Array<[string, string | object, number, RegExp]> = [
    ['not JSON', '{"inputs": [', 400, /not valid JSON/],
    ['an array body', '[1, 2]', 400, /JSON object with an "inputs" list/],
    ['no inputs', { parameters: {} }, 400, /"inputs" is required/],
    ['empty inputs', { inputs: [] }, 400, /"inputs" is empty/],
    ['1001 series', { inputs: Array.from({ length: 1001 }, () => ok) }, 400, /1001 time series; at most 1000/],
    ['4 observations', { inputs: [{ target: [1, 2, 3, 4] }] }, 400, /inputs\[0\]\.target has 4 observations; at least 5/],
    ['a string target', { inputs: [ok, { target: ['a', 'b', 'c', 'd', 'e'] }] }, 400, /inputs\[1\]\.target must hold only numbers/],
    ['a target with NaN text', { inputs: [{ target: [1, 2, 3, 4, 'NaN'] }] }, 400, /must hold only numbers/],
    ['uneven dimensions', { inputs: [{ target: [[1, 2, 3, 4, 5], [1, 2, 3, 4]] }] }, 400, /dimension 1 has 4 values but dimension 0 has 5/],
    ['no target', { inputs: [{ item_id: 'a' }] }, 400, /inputs\[0\]\.target is required/],
    ['repeated item_id', { inputs: [{ ...ok, item_id: 'x' }, { ...ok, item_id: 'x' }] }, 400, /repeats inputs\[0\]\.item_id/],
    ['numeric item_id', { inputs: [{ ...ok, item_id: 7 }] }, 400, /item_id must be a string/],
    ['start without freq', { inputs: [{ ...ok, start: '2024-01-01' }] }, 400, /"parameters\.freq" must be given/],
    ['freq without start', { inputs: [ok], parameters: { freq: 'D' } }, 400, /every time series needs a "start"/],
    ['a bad start', { inputs: [{ ...ok, start: '01/02/2024' }], parameters: { freq: 'D' } }, 400, /not an ISO timestamp/],
    ['an impossible date', { inputs: [{ ...ok, start: '2024-02-30' }], parameters: { freq: 'D' } }, 400, /not a valid date/],
    ['an unknown freq', { inputs: [{ ...ok, start: '2024-01-01' }], parameters: { freq: 'fortnight' } }, 400, /freq "fortnight"/],
    ['prediction_length 0', { inputs: [ok], parameters: { prediction_length: 0 } }, 400, /prediction_length" must be an integer ≥ 1/],
    ['prediction_length 2.5', { inputs: [ok], parameters: { prediction_length: 2.5 } }, 400, /must be an integer/],
    ['prediction_length 1025', { inputs: [ok], parameters: { prediction_length: 1025 } }, 400, /values up to 1024/],
    ['quantile level 1', { inputs: [ok], parameters: { quantile_levels: [0.5, 1] } }, 400, /must lie in \(0, 1\); 1 does not/],
    ['quantile levels not a list', { inputs: [ok], parameters: { quantile_levels: 0.5 } }, 400, /must be a list/],
    ['past covariate too short', { inputs: [{ ...ok, past_covariates: { a: [1, 2] } }] }, 400, /past_covariates\.a has 2 values; it must have 20/],
    ['future covariate of the wrong length', { inputs: [{ ...ok, past_covariates: { a: wave(20, 1) }, future_covariates: { a: [1, 2] } }], parameters: { prediction_length: 3 } }, 400, /future_covariates\.a has 2 values; it must have 3 \(prediction_length\)/],
    ['future covariate without past values', { inputs: [{ ...ok, future_covariates: { a: [1] } }] }, 400, /future_covariates\.a has no past values/],
    ['mixed covariate types', { inputs: [{ ...ok, past_covariates: { a: [...wave(19, 0), 'x'] } }] }, 400, /all numbers or all strings/],
    ['an unknown input key', { inputs: [{ ...ok, timestamps: [] }] }, 400, /unknown key "timestamps"/],
    ['an unknown parameter', { inputs: [ok], parameters: { horizon: 3 } }, 400, /Unknown parameter "horizon"/],
    ['cross_learning as text', { inputs: [ok], parameters: { cross_learning: 'yes' } }, 400, /cross_learning" must be true or false/],
    ['batch_size 0', { inputs: [ok], parameters: { batch_size: 0 } }, 400, /batch_size" must be an integer between 1/],
  ];
  for (const [name, body, status, message] of cases) {
    it(name, async () => {
      const r = await post(base, body);
      expect(r.status).toBe(status);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.json.message).toMatch(message);
      expect(r.json.error).toEqual({ code: status, message: r.json.message });
    });
  }

  it('a wrong content type is 415, an empty body 400, a wrong method 405, an unknown route 404', async () => {
    const form = await post(base, 'inputs=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect([form.status, form.json.message]).toEqual([415, 'Content-Type application/x-www-form-urlencoded is not supported; send application/json.']);
    const empty = await post(base, '');
    expect(empty.status).toBe(400);
    expect(empty.json.message).toMatch(/body is empty/);
    const get = await request(base, 'GET', '/invocations');
    expect([get.status, get.headers.allow]).toEqual([405, 'POST']);
    const other = await request(base, 'GET', '/predict');
    expect(other.status).toBe(404);
    expect(other.json.message).toMatch(/GET \/ping, POST \/invocations and GET \/metrics/);
  });

  it('a body over the limit is 413 without being read to the end', async () => {
    const small = createForecastService({ engine: started.engine, status: () => started.engine.status, limits: { maxBodyBytes: 1000 } });
    const { port } = await small.listen(0);
    try {
      const r = await post(`http://127.0.0.1:${port}`, { inputs: [{ target: wave(500, 0) }] });
      expect(r.status).toBe(413);
      expect(r.json.message).toMatch(/larger than the limit of 1000 bytes/);
      expect(small.metrics.rejected.get({ reason: 'too_large' })).toBe(1);
    } finally {
      await small.shutdown(0);
    }
  });
});

describe('GET /ping and /metrics', () => {
  it('ping names the model; metrics are Prometheus text with requests, batch rows and latency', async () => {
    const ping = await request(base, 'GET', '/ping');
    expect(ping.status).toBe(200);
    expect(ping.json).toMatchObject({ status: 'ok', model: 'chronos2-mini', parameters: 1429280 });
    const metrics = await request(base, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(metrics.body).toMatch(/^# TYPE chronos_http_requests_total counter$/m);
    expect(metrics.body).toMatch(/^chronos_http_requests_total\{route="\/ping",status="200"\} [1-9]\d*$/m);
    expect(metrics.body).toMatch(/^chronos_model_batch_rows_bucket\{le="\+Inf"\} [1-9]\d*$/m);
    expect(metrics.body).toMatch(/^chronos_http_request_duration_seconds_count\{route="\/invocations"\} [1-9]\d*$/m);
    expect(metrics.body).toMatch(/^chronos_inflight_requests 0$/m);
  });
});

describe('concurrency', () => {
  it('64 concurrent requests are batched into shared model calls and equal 64 separate requests exactly', async () => {
    // Lengths 40..47 (one context patch shape per 16 steps) and two horizons: several batch keys at once.
    const bodies = Array.from({ length: 64 }, (_, k) => ({
      inputs: [{ target: wave(40 + (k % 8), k), item_id: `s${k}` }],
      parameters: { prediction_length: k % 2 === 0 ? 12 : 20, quantile_levels: [0.1, 0.5, 0.9] },
    }));
    const separate: unknown[] = [];
    for (const body of bodies) separate.push((await post(base, body)).json);
    const callsBefore = started.service.metrics.modelCalls.get();
    const together = await Promise.all(bodies.map((body) => post(base, body)));
    const calls = started.service.metrics.modelCalls.get() - callsBefore;
    expect(together.map((r) => r.status)).toEqual(bodies.map(() => 200));
    expect(together.map((r) => r.json)).toEqual(separate);
    // 64 one-series requests, 16 rows per call at most: far fewer calls than requests.
    expect(calls).toBeGreaterThanOrEqual(4);
    expect(calls).toBeLessThan(32);
  });

  it('a client that disconnects aborts its forecast before its remaining model calls', async () => {
    const inputs = Array.from({ length: 1000 }, (_, k) => ({ target: wave(512, k) }));
    const body = JSON.stringify({ inputs, parameters: { prediction_length: 64 } });
    const metrics = started.service.metrics;
    const callsBefore = metrics.modelCalls.get();
    const abortedBefore = metrics.aborted.get();
    const req = http.request(`${base}/invocations`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } });
    req.on('error', () => undefined);
    req.end(body);
    // 1000 series at 16 rows per call: 63 calls. Disconnect after the second.
    await until(() => metrics.modelCalls.get() - callsBefore >= 2, 'the first model calls');
    req.destroy();
    await until(() => started.service.inFlight === 0, 'the request to end');
    const calls = metrics.modelCalls.get() - callsBefore;
    expect(metrics.aborted.get() - abortedBefore).toBe(1);
    expect(calls).toBeLessThan(20);
    // The engine is free again.
    expect((await post(base, EXAMPLES.univariate)).status).toBe(200);
  });

  it('beyond the in-flight cap requests get 503 with Retry-After', async () => {
    const capped = createForecastService({ engine: started.engine, status: () => started.engine.status, limits: { maxInFlight: 2 } });
    const { port } = await capped.listen(0);
    const url = `http://127.0.0.1:${port}`;
    try {
      const big = { inputs: Array.from({ length: 400 }, (_, k) => ({ target: wave(512, k) })), parameters: { prediction_length: 64 } };
      const first = post(url, big);
      await until(() => capped.inFlight === 1, 'the first request');
      const second = post(url, big);
      await until(() => capped.inFlight === 2, 'the second request');
      const third = await post(url, EXAMPLES.univariate);
      expect(third.status).toBe(503);
      expect(third.headers['retry-after']).toBe('1');
      expect(third.json.message).toMatch(/limit of 2 requests in flight/);
      expect((await first).status).toBe(200);
      expect((await second).status).toBe(200);
      expect(capped.metrics.rejected.get({ reason: 'busy' })).toBe(1);
    } finally {
      await capped.shutdown(0);
    }
  });
});

describe('shutdown', () => {
  it('answers the requests in flight, refuses new ones, then closes', async () => {
    const svc: ForecastService = createForecastService({ engine: started.engine, status: () => started.engine.status });
    const { port } = await svc.listen(0);
    const url = `http://127.0.0.1:${port}`;
    const big = { inputs: Array.from({ length: 200 }, (_, k) => ({ target: wave(512, k) })), parameters: { prediction_length: 64 } };
    const inFlight = [post(url, big), post(url, EXAMPLES.univariate)];
    await until(() => svc.inFlight === 2, 'two requests in flight');
    const closing = svc.shutdown(30_000);
    const [a, b] = await Promise.all(inFlight);
    expect(a.status).toBe(200);
    expect(a.json.predictions).toHaveLength(200);
    expect(b.status).toBe(200);
    await closing;
    await expect(post(url, EXAMPLES.univariate)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('past the grace period the rest get 503 and the service still closes', async () => {
    const svc = createForecastService({ engine: started.engine, status: () => started.engine.status });
    const { port } = await svc.listen(0);
    const url = `http://127.0.0.1:${port}`;
    const big = { inputs: Array.from({ length: 1000 }, (_, k) => ({ target: wave(512, k) })), parameters: { prediction_length: 64 } };
    const pending = post(url, big);
    await until(() => svc.inFlight === 1, 'the request in flight');
    await svc.shutdown(0);
    const r = await pending;
    expect(r.status).toBe(503);
    expect(r.json.message).toMatch(/shut down before this forecast finished/);
    expect((await post(base, EXAMPLES.univariate)).status).toBe(200);
  });
});
