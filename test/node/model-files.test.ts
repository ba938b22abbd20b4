// Loading converted model folders in Node: with onnxruntime-node by path while a worker thread checks the hash,
// with onnxruntime-web from bytes; a damaged file or manifest is refused either way, and both give the same numbers.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ortWeb from 'onnxruntime-web';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { predict } from '../../src/forecast';
import { runnerFromDir } from '../../src/node/model-files';
import { sha256FileInWorker } from '../../src/node/file-hash';
import { loadNodeOrt } from '../../src/node/ort-node';

const MODEL = fileURLToPath(new URL('../../public/models/random-small/', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-files-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function copyModel(name: string): Promise<string> {
  const to = path.join(dir, name);
  await fs.cp(MODEL, to, { recursive: true });
  return to;
}

it('hashes a file in a worker thread like the manifest says', async () => {
  const manifest = JSON.parse(await fs.readFile(path.join(MODEL, 'manifest.json'), 'utf8')) as { sha256: string };
  expect(await sha256FileInWorker(path.join(MODEL, 'model.onnx'))).toBe(manifest.sha256);
  await expect(sha256FileInWorker(path.join(dir, 'missing.onnx'))).rejects.toThrow(/missing\.onnx: .*ENOENT/);
});

it('onnxruntime-node by path and onnxruntime-web from bytes forecast the same', async () => {
  const { ort } = await loadNodeOrt('node');
  const native = await runnerFromDir(MODEL, { ort });
  const web = await runnerFromDir(MODEL, { ort: ortWeb });
  const series = [Array.from({ length: 50 }, (_, t) => Math.sin(t / 3) * 10 + t)];
  const [a] = await predict(native, series, { predictionLength: 16 });
  const [b] = await predict(web, series, { predictionLength: 16 });
  const scale = Math.max(...b.values.map(Math.abs));
  expect(Math.max(...a.values.map((v, i) => Math.abs(v - b.values[i]))) / scale).toBeLessThan(1e-5);
  await native.dispose();
  await web.dispose();
});

it('refuses a damaged model file on either runtime', async () => {
  const damaged = await copyModel('damaged');
  const file = path.join(damaged, 'model.onnx');
  const bytes = await fs.readFile(file);
  bytes[bytes.length - 10] ^= 0xff; // same size, other content
  await fs.writeFile(file, bytes);
  const { ort } = await loadNodeOrt('node');
  await expect(runnerFromDir(damaged, { ort })).rejects.toThrow(/sha256 [0-9a-f]{64} does not match the manifest/);
  await expect(runnerFromDir(damaged, { ort: ortWeb })).rejects.toThrow(/does not match the manifest/);
});

it('refuses a model file of another size than the manifest says, before loading it', async () => {
  const short = await copyModel('short');
  const file = path.join(short, 'model.onnx');
  await fs.truncate(file, 1000);
  const { ort } = await loadNodeOrt('node');
  await expect(runnerFromDir(short, { ort })).rejects.toThrow(/1000 bytes, the manifest says \d+/);
});
