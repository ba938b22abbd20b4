// SHA-256 of a model file in Node, fast and off the main thread: node:crypto (OpenSSL, ~6× faster here than the
// WASM hash the browser uses) over a file stream in a worker thread, so that hashing a 478 MB model overlaps
// with work the main thread is blocked on (onnxruntime-node creates sessions synchronously).
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { createReadStream } = require('node:fs');
const hash = createHash('sha256');
createReadStream(workerData, { highWaterMark: 4 << 20 })
  .on('data', (chunk) => hash.update(chunk))
  .on('error', (e) => parentPort.postMessage({ error: e.message }))
  .on('end', () => parentPort.postMessage({ hex: hash.digest('hex') }));
`;

/** Hex SHA-256 of a file, computed in a worker thread. */
export function sha256FileInWorker(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // execArgv: [] so the CommonJS source does not inherit flags such as --input-type=module or --import tsx.
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: file, execArgv: [] });
    worker.once('message', (m: { hex?: string; error?: string }) => {
      void worker.terminate();
      if (m.hex) resolve(m.hex);
      else reject(new Error(`${file}: ${m.error ?? 'hashing failed'}`));
    });
    worker.once('error', reject);
  });
}

/** Hex SHA-256 of bytes in memory with node:crypto. */
export function sha256Bytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
