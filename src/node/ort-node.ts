// Which onnxruntime a Node program uses: onnxruntime-node (native CPU kernels, an optional dependency) when it
// is installed and loads, else onnxruntime-web (WASM in Node). One place for the choice, so the CLIs, the
// service and the library's Node entry agree, and a runner factory for the engine on that runtime.
import type * as OrtWeb from 'onnxruntime-web';
import type { CreatedRunner, DisposableRunner, RunnerFactory } from '../worker/engine';
import type { ModelCallInput, ModelCallOutput, ModelInfo } from '../forecast';
import { OrtModelRunner, type OrtModule, type SessionOptions } from '../runtime/ort-runner';
import { createThreadRunner } from './thread-runner';

/** `auto`: onnxruntime-node when it loads, else onnxruntime-web. */
export type NodeRuntimePreference = 'auto' | 'node' | 'web';

/** A loaded onnxruntime and how to describe it. */
export interface NodeOrt {
  ort: OrtModule;
  kind: 'node' | 'web';
  label: string;
}

/**
 * Loads onnxruntime for Node.
 * @throws Error when `node` is asked for and onnxruntime-node is missing or fails to load.
 */
export async function loadNodeOrt(preference: NodeRuntimePreference = 'auto'): Promise<NodeOrt> {
  if (preference !== 'web') {
    try {
      const mod = (await import('onnxruntime-node')) as unknown as OrtModule & { default?: OrtModule };
      return { ort: mod.InferenceSession ? mod : (mod.default as OrtModule), kind: 'node', label: 'onnxruntime-node (CPU)' };
    } catch (e) {
      if (preference === 'node') throw new Error(`onnxruntime-node is not installed or failed to load: ${(e as Error).message}`);
    }
  }
  const web = (await import('onnxruntime-web')) as unknown as OrtModule;
  return { ort: web, kind: 'web', label: 'onnxruntime-web (WASM in Node)' };
}


/**
 * Session options for a runtime. onnxruntime-node: all graph optimisations and, by default, one intra-op thread
 * per core; onnxruntime-web in Node: `basic` (the graph is already fused; `all` only costs session time).
 */
export function nodeSessionOptions(kind: 'node' | 'web', threads?: number): SessionOptions {
  if (kind === 'web') return { executionProviders: ['wasm'], graphOptimizationLevel: 'basic' };
  return {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    ...(threads !== undefined ? { intraOpNumThreads: threads } : {}),
    ...NO_SPINNING,
  };
}

/**
 * onnxruntime-node session option: intra-op threads sleep instead of spin-waiting between kernels. On a busy CPU
 * (a shared host, containers, the service's own HTTP thread) spinning threads steal each other's cores: with the
 * 28M model on 2 loaded cores a B=1 call took 338 ms spinning and 85 ms without (docs/benchmarks.md).
 */
export const NO_SPINNING: Pick<SessionOptions, 'extra'> = Object.freeze({ extra: { session: { intra_op: { allow_spinning: '0' } } } });

/** Called after each model call with its rows (for metrics). */
export type ModelCallObserver = (rows: number, ms: number) => void;

/**
 * A {@link RunnerFactory} for the engine on a Node runtime: sessions on the CPU (the engine's backend choice is
 * reported as `wasm`, the engine's name for "not WebGPU"), every model call reported to `observe`. With `thread`,
 * onnxruntime-node sessions run in a worker thread (see thread-runner.ts) so model calls never block the caller's
 * event loop; `onCrash` hears if that thread dies.
 */
export function nodeRunnerFactory(
  nodeOrt: NodeOrt,
  options: { threads?: number; observe?: ModelCallObserver; thread?: boolean; onCrash?: (reason: string) => void } = {},
): RunnerFactory {
  return async (_ort: typeof OrtWeb, onnx: Uint8Array, info: ModelInfo): Promise<CreatedRunner> => {
    const sessionOptions = nodeSessionOptions(nodeOrt.kind, options.threads);
    const inner: DisposableRunner =
      options.thread && nodeOrt.kind === 'node'
        ? await createThreadRunner(onnx, info, { sessionOptions, ...(options.onCrash ? { onCrash: options.onCrash } : {}) })
        : await OrtModelRunner.create(nodeOrt.ort, onnx, info, sessionOptions);
    const observe = options.observe;
    const runner: DisposableRunner = {
      info: inner.info,
      run: async (input: ModelCallInput): Promise<ModelCallOutput> => {
        const started = performance.now();
        const output = await inner.run(input);
        observe?.(input.batchSize, performance.now() - started);
        return output;
      },
      dispose: () => inner.dispose(),
    };
    return { runner, choice: { backend: 'wasm', reason: nodeOrt.label, threads: options.threads ?? 0 } };
  };
}
