// One benchmark job in its own Node process (so peak memory is the job's own): loads a converted
// model on onnxruntime-web (WASM in Node) or onnxruntime-node and measures forward calls and the
// matmul ceiling. Prints one JSON line. Spawned by src/cli/bench.ts.
import * as ortWeb from 'onnxruntime-web';
import { readConvertedDir } from '../node/model-files';
import { OrtModelRunner, modelInfoFromConfig, type OrtModule, type SessionOptions } from '../runtime/ort-runner';
import type { CallShape } from './flops';
import { matmulModel } from './matmul-model';
import { measureForward, measureMatmul } from './measure';

/** Arguments of a job (JSON in argv[2]). */
export interface NodeJob {
  backend: 'node-web' | 'node-native';
  modelDir: string;
  shapes: CallShape[];
  threads: number;
  matmul: [number, number, number];
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as NodeJob;
  let ort: OrtModule;
  let sessionOptions: SessionOptions;
  if (job.backend === 'node-native') {
    ort = (await import('onnxruntime-node')) as unknown as OrtModule;
    sessionOptions = { graphOptimizationLevel: 'all', intraOpNumThreads: job.threads, interOpNumThreads: 1, executionProviders: ['cpu'] };
  } else {
    ortWeb.env.wasm.numThreads = job.threads;
    ort = ortWeb;
    sessionOptions = { graphOptimizationLevel: 'all', executionProviders: ['wasm'] };
  }
  const [m, k, n] = job.matmul;
  const mm = await ort.InferenceSession.create(matmulModel(k, n), sessionOptions);
  const x = new ort.Tensor('float32', new Float32Array(m * k).fill(0.5), [m, k]);
  const matmul = await measureMatmul(() => mm.run({ x }), m, k, n);
  await mm.release();

  const { onnx, manifest } = await readConvertedDir(job.modelDir);
  const t0 = performance.now();
  const runner = await OrtModelRunner.create(ort, onnx, modelInfoFromConfig(manifest.config), sessionOptions);
  const sessionMs = performance.now() - t0;
  const results = [];
  for (const shape of job.shapes) results.push(await measureForward(runner, manifest.config, shape));
  await runner.dispose();
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ sessionMs, matmul, results, peakRssBytes })}\n`);
}

main().catch((e: unknown) => {
  console.error((e as Error).stack ?? String(e));
  process.exit(1);
});
