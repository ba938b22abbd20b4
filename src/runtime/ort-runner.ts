// Runs the Chronos-2 ONNX graph with an onnxruntime module (onnxruntime-web in the browser or Node,
// or onnxruntime-node): the ModelRunner the forecasting pipeline calls. It owns input checking
// against the graph's contract, so a bad call is a clear error rather than an opaque ORT failure.
import type * as OrtWeb from 'onnxruntime-web';
import { GRAPH_IO } from '../model/onnx/chronos2';
import type { ModelCallInput, ModelCallOutput, ModelInfo, ModelRunner } from '../forecast/model-runner';

/** The parts of an onnxruntime module this runner uses (onnxruntime-web and -node both fit). */
export type OrtModule = Pick<typeof OrtWeb, 'InferenceSession' | 'Tensor'>;
/** Session options as onnxruntime-common defines them. */
export type SessionOptions = OrtWeb.InferenceSession.SessionOptions;

/** The model call was malformed (shapes do not agree with the graph's contract). */
export class ModelCallError extends Error {
  override readonly name = 'ModelCallError';
}

/** A ModelRunner over one onnxruntime InferenceSession. */
export class OrtModelRunner implements ModelRunner {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtWeb.InferenceSession,
    readonly info: ModelInfo,
  ) {}

  /** Creates a session from ONNX bytes (or, with onnxruntime-node, the path of an ONNX file). */
  static async create(ort: OrtModule, onnx: Uint8Array | string, info: ModelInfo, options: SessionOptions = {}): Promise<OrtModelRunner> {
    const session = typeof onnx === 'string' ? await ort.InferenceSession.create(onnx, options) : await ort.InferenceSession.create(onnx, options);
    return new OrtModelRunner(ort, session, info);
  }

  /** Runs one forward call. */
  async run(input: ModelCallInput): Promise<ModelCallOutput> {
    const { batchSize: B, contextLength: T, numOutputPatches: n } = input;
    const { patchSize: P, maxOutputPatches } = this.info;
    if (!Number.isSafeInteger(B) || B < 1) throw new ModelCallError(`batch size must be a positive integer, got ${B}`);
    if (!Number.isSafeInteger(T) || T < 1) throw new ModelCallError(`context length must be a positive integer, got ${T}`);
    if (!Number.isSafeInteger(n) || n < 1 || n > maxOutputPatches) {
      throw new ModelCallError(`numOutputPatches must be an integer in 1..${maxOutputPatches}, got ${n}`);
    }
    if (input.context.length !== B * T) throw new ModelCallError(`context has ${input.context.length} values, expected ${B}×${T}`);
    if (input.groupIds.length !== B) throw new ModelCallError(`groupIds has ${input.groupIds.length} values, expected ${B}`);
    if (input.futureCovariates.length !== B * n * P) {
      throw new ModelCallError(`futureCovariates has ${input.futureCovariates.length} values, expected ${B}×${n * P}`);
    }
    const { Tensor } = this.ort;
    const feeds = {
      [GRAPH_IO.context]: new Tensor('float32', input.context, [B, T]),
      [GRAPH_IO.groupIds]: new Tensor('int64', input.groupIds, [B]),
      [GRAPH_IO.futureCovariates]: new Tensor('float32', input.futureCovariates, [B, n * P]),
    };
    const out = await this.session.run(feeds);
    const take = (name: string): Float32Array => {
      const t = out[name];
      const data = t.data;
      if (!(data instanceof Float32Array)) throw new ModelCallError(`output ${name} is not float32`);
      return data;
    };
    const result = { quantilePreds: take(GRAPH_IO.quantilePreds), loc: take(GRAPH_IO.loc), scale: take(GRAPH_IO.scale) };
    for (const t of Object.values(out)) t.dispose?.();
    return result;
  }

  /** Releases the session. */
  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** ModelInfo from a normalised config. */
export function modelInfoFromConfig(config: { contextLength: number; patchSize: number; maxOutputPatches: number; quantiles: number[] }): ModelInfo {
  return {
    contextLength: config.contextLength,
    patchSize: config.patchSize,
    maxOutputPatches: config.maxOutputPatches,
    quantiles: [...config.quantiles],
  };
}
