// A model runner whose onnxruntime-node session lives in a worker thread. onnxruntime-node runs a model call
// synchronously on the calling thread, so in the service's main thread every call would stall the HTTP event
// loop (no requests read, no disconnects seen, no /ping) for its whole duration, and requests arriving meanwhile
// could not join the next batch. Here the main thread only posts the call's inputs and awaits the outputs.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { ModelCallInput, ModelCallOutput, ModelInfo } from '../forecast';
import type { DisposableRunner } from '../worker/engine';
import type { SessionOptions } from '../runtime/ort-runner';
import { GRAPH_IO } from '../model/onnx/chronos2';

// CommonJS, evaluated in the worker: one session, one call at a time (the engine never overlaps calls).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
const io = workerData.io;
const ready = ort.InferenceSession.create(new Uint8Array(workerData.onnx), workerData.sessionOptions);
ready.then(() => parentPort.postMessage({ type: 'ready' }), (e) => parentPort.postMessage({ type: 'failed', error: String(e && e.message || e) }));
parentPort.on('message', async (m) => {
  if (m.type === 'dispose') { const s = await ready.catch(() => null); if (s) await s.release(); parentPort.postMessage({ type: 'disposed' }); return; }
  try {
    const session = await ready;
    const feeds = {
      [io.context]: new ort.Tensor('float32', m.context, [m.batchSize, m.contextLength]),
      [io.groupIds]: new ort.Tensor('int64', m.groupIds, [m.batchSize]),
      [io.futureCovariates]: new ort.Tensor('float32', m.futureCovariates, [m.batchSize, m.futureCovariates.length / m.batchSize]),
    };
    const out = await session.run(feeds);
    const take = (name) => { const d = out[name].data; return d instanceof Float32Array ? d : Float32Array.from(d); };
    const result = { type: 'result', id: m.id, quantilePreds: take(io.quantilePreds), loc: take(io.loc), scale: take(io.scale) };
    parentPort.postMessage(result, [result.quantilePreds.buffer, result.loc.buffer, result.scale.buffer]);
  } catch (e) {
    parentPort.postMessage({ type: 'error', id: m.id, error: String(e && e.message || e) });
  }
});
`;

/** The runtime failed (the worker thread died or the session could not be created). */
export class ModelThreadError extends Error {
  override readonly name = 'ModelThreadError';
}

/** Options of {@link createThreadRunner}. */
export interface ThreadRunnerOptions {
  sessionOptions?: SessionOptions;
  /** Called once if the worker thread dies; later calls reject with {@link ModelThreadError}. */
  onCrash?: (reason: string) => void;
}

/** Starts a worker thread with an onnxruntime-node session for `onnx` and resolves once it is ready. */
export async function createThreadRunner(onnx: Uint8Array, info: ModelInfo, options: ThreadRunnerOptions = {}): Promise<DisposableRunner> {
  const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    execArgv: [],
    workerData: { ortPath, onnx, io: GRAPH_IO, sessionOptions: options.sessionOptions ?? {} },
  });
  const pending = new Map<number, { resolve: (o: ModelCallOutput) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let dead: string | null = null;
  let disposed: (() => void) | null = null;

  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: { type: string; id?: number; error?: string } & Partial<ModelCallOutput>) => {
      if (m.type === 'ready') return resolve();
      if (m.type === 'failed') return reject(new ModelThreadError(`creating the inference session failed: ${m.error}`));
      if (m.type === 'disposed') return disposed?.();
      const call = pending.get(m.id ?? -1);
      if (!call) return;
      pending.delete(m.id!);
      if (m.type === 'result') call.resolve({ quantilePreds: m.quantilePreds!, loc: m.loc!, scale: m.scale! });
      else call.reject(new ModelThreadError(m.error ?? 'the model call failed'));
    });
    const die = (reason: string): void => {
      if (dead !== null || disposed) return;
      dead = reason;
      reject(new ModelThreadError(reason));
      for (const call of pending.values()) call.reject(new ModelThreadError(reason));
      pending.clear();
      options.onCrash?.(reason);
    };
    worker.on('error', (e) => die(`the model thread failed: ${e.message}`));
    worker.on('exit', (code) => die(`the model thread exited (code ${code})`));
  });
  try {
    await ready;
  } catch (e) {
    await worker.terminate();
    throw e;
  }

  return {
    info,
    run(input: ModelCallInput): Promise<ModelCallOutput> {
      if (dead !== null) return Promise.reject(new ModelThreadError(dead));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({
          type: 'run',
          id,
          batchSize: input.batchSize,
          contextLength: input.contextLength,
          context: input.context,
          groupIds: input.groupIds,
          futureCovariates: input.futureCovariates,
        });
      });
    },
    async dispose(): Promise<void> {
      if (dead !== null) return;
      const done = new Promise<void>((resolve) => (disposed = resolve));
      worker.postMessage({ type: 'dispose' });
      await Promise.race([done, new Promise((r) => setTimeout(r, 5_000))]);
      await worker.terminate();
    },
  };
}
