// `chronos-web serve` / `npm run serve -- [--model DIR|URL|REPO] [--port 8080] ...`: the forecasting service
// (Chronos-2 endpoint API on onnxruntime-node) in the foreground, with request logs as JSON lines on stdout and
// a graceful shutdown on SIGTERM / SIGINT (in-flight requests are answered first).
import { startForecastService } from '../server/service';
import { DEFAULT_SERVICE_LIMITS, type ServiceLimits } from '../server/http-server';
import type { NodeRuntimePreference } from '../node/ort-node';
import { runCli } from './run-cli';

const USAGE = `usage: chronos-web serve [options]      (from a checkout: npm run serve -- [options])

Serves Chronos-2 forecasts over HTTP with the API of the managed Chronos-2 endpoint (SageMaker JumpStart):
  GET /ping, POST /invocations {"inputs": [...], "parameters": {...}}, GET /metrics (Prometheus text).

options:
  --model M             model folder (converted, or a checkpoint converted at start), http(s) URL of a converted
                        model folder, or Hugging Face repo id (cached in ~/.cache/chronos-web; token: $HF_TOKEN,
                        mirror: $HF_ENDPOINT). Default: the bundled model.
  --port N              port (default 8080; 0: any free port)
  --host H              address to listen on (default 127.0.0.1; 0.0.0.0 in a container)
  --runtime R           auto | node | web: onnxruntime-node (native CPU) or onnxruntime-web (default auto)
  --threads N           onnxruntime-node intra-op threads (default: one per core)
  --batch-rows N        most rows per model call when batching concurrent requests (default 32)
  --batch-window-ms N   how long the idle engine waits for more requests to batch with (default 0: one timer tick)
  --max-inflight N      requests queued or running at once before 503 + Retry-After (default ${DEFAULT_SERVICE_LIMITS.maxInFlight})
  --max-body-mb N       largest request body in MiB (default ${DEFAULT_SERVICE_LIMITS.maxBodyBytes / 1024 / 1024})
  --max-series N        most series per request (default ${DEFAULT_SERVICE_LIMITS.maxSeries})
  --timeout-s N         most seconds per request before 504 (default ${DEFAULT_SERVICE_LIMITS.requestTimeoutMs / 1000})
  --grace-s N           seconds to finish in-flight requests on SIGTERM (default 30)
  --quiet               no request log lines
  -h, --help            this text`;

function positiveInt(flag: string, text: string | undefined, min = 1): number {
  const n = Number(text);
  if (text === undefined || !Number.isSafeInteger(n) || n < min) throw new Error(`${flag} needs a whole number ≥ ${min}, got ${text ?? 'nothing'}\n${USAGE}`);
  return n;
}

runCli(async (args) => {
  let model: string | undefined;
  let port = 8080;
  let host = '127.0.0.1';
  let runtime: NodeRuntimePreference = 'auto';
  let threads: number | undefined;
  let batchRows: number | undefined;
  let batchWindowMs: number | undefined;
  let graceS = 30;
  let quiet = false;
  const limits: Partial<ServiceLimits> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string | undefined => args[++i];
    if (a === '--help' || a === '-h') return void console.log(USAGE);
    else if (a === '--model') model = value();
    else if (a === '--port') port = positiveInt(a, value(), 0);
    else if (a === '--host') host = value() ?? host;
    else if (a === '--runtime') {
      const r = value();
      if (r !== 'auto' && r !== 'node' && r !== 'web') throw new Error(`--runtime must be auto, node or web\n${USAGE}`);
      runtime = r;
    } else if (a === '--threads') threads = positiveInt(a, value());
    else if (a === '--batch-rows') batchRows = positiveInt(a, value());
    else if (a === '--batch-window-ms') batchWindowMs = positiveInt(a, value(), 0);
    else if (a === '--max-inflight') limits.maxInFlight = positiveInt(a, value());
    else if (a === '--max-body-mb') limits.maxBodyBytes = positiveInt(a, value()) * 1024 * 1024;
    else if (a === '--max-series') limits.maxSeries = positiveInt(a, value());
    else if (a === '--timeout-s') limits.requestTimeoutMs = positiveInt(a, value()) * 1000;
    else if (a === '--grace-s') graceS = positiveInt(a, value(), 0);
    else if (a === '--quiet') quiet = true;
    else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  if (model === '') throw new Error(`--model needs a value\n${USAGE}`);

  const started = await startForecastService({
    ...(model !== undefined ? { model } : {}),
    port,
    host,
    runtime,
    ...(threads !== undefined ? { threads } : {}),
    ...(batchRows !== undefined ? { batchRows } : {}),
    ...(batchWindowMs !== undefined ? { batchWindowMs } : {}),
    limits,
    ...(quiet ? {} : { log: (entry) => process.stdout.write(`${JSON.stringify(entry)}\n`) }),
    onProgress: (message) => console.error(message),
  });
  const m = started.model;
  console.error(
    `chronos-web serve: ${m.name} (${m.parameterCount.toLocaleString('en-US')} parameters, ${m.backend.reason}) listening on ${started.url}`,
  );

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        console.error(`${signal} again: exiting without waiting`);
        process.exit(1);
      }
      stopping = true;
      console.error(`${signal}: finishing ${started.service.inFlight} request(s) in flight (up to ${graceS} s), then exiting`);
      void started.close(graceS * 1000).then(resolve);
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  console.error('chronos-web serve: stopped');
});
