// Runs the Chronos-2 ONNX graph with an onnxruntime module (onnxruntime-web in the browser or Node,
// or onnxruntime-node): the ModelRunner the forecasting pipeline calls. It owns input checking
// against the graph's contract, so a bad call is a clear error rather than an opaque ORT failure.
import type * as OrtWeb from 'onnxruntime-web';
import { GRAPH_IO } from '../model/onnx/chronos2';
import type { EmbedCallOutput, ModelCallInput, ModelCallOutput, ModelInfo, ModelRunner } from '../forecast/model-runner';

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

  /** Creates a session from ONNX bytes. */
  static async create(ort: OrtModule, onnx: Uint8Array, info: ModelInfo, options: SessionOptions = {}): Promise<OrtModelRunner> {
    const session = await ort.InferenceSession.create(onnx, options);
    return new OrtModelRunner(ort, session, info);
  }

  /** Whether the graph has the hidden-states output `embed` reads (models converted before it existed do not). */
  get canEmbed(): boolean {
    return this.session.outputNames.includes(GRAPH_IO.hiddenStates);
  }

  /** Runs one forward call (fetching only the forecast outputs). */
  async run(input: ModelCallInput): Promise<ModelCallOutput> {
    const out = await this.session.run(this.feeds(input), FORECAST_OUTPUTS);
    const result = { quantilePreds: take(out, GRAPH_IO.quantilePreds), loc: take(out, GRAPH_IO.loc), scale: take(out, GRAPH_IO.scale) };
    for (const t of Object.values(out)) t.dispose?.();
    return result;
  }

  /**
   * Runs one forward call for the encoder's last hidden states.
   * @throws ModelCallError when the model was converted without the hidden-states output
   */
  async embed(input: ModelCallInput): Promise<EmbedCallOutput> {
    if (!this.canEmbed) {
      throw new ModelCallError('This converted model has no hidden-states output (it was converted by an older version); convert it again to compute embeddings.');
    }
    const out = await this.session.run(this.feeds(input), [GRAPH_IO.hiddenStates, GRAPH_IO.loc, GRAPH_IO.scale]);
    const hidden = out[GRAPH_IO.hiddenStates];
    const result = { hiddenStates: take(out, GRAPH_IO.hiddenStates), sequenceLength: Number(hidden.dims[1]), loc: take(out, GRAPH_IO.loc), scale: take(out, GRAPH_IO.scale) };
    for (const t of Object.values(out)) t.dispose?.();
    return result;
  }

  /** Checks a call against the graph's contract and builds its feeds. */
  private feeds(input: ModelCallInput): Record<string, OrtWeb.Tensor> {
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
    return {
      [GRAPH_IO.context]: new Tensor('float32', input.context, [B, T]),
      [GRAPH_IO.groupIds]: new Tensor('int64', input.groupIds, [B]),
      [GRAPH_IO.futureCovariates]: new Tensor('float32', input.futureCovariates, [B, n * P]),
    };
  }

  /** Releases the session. */
  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** The outputs a forecast fetches: onnxruntime copies out only fetched outputs, so hidden states cost nothing here. */
const FORECAST_OUTPUTS = [GRAPH_IO.quantilePreds, GRAPH_IO.loc, GRAPH_IO.scale];

function take(out: OrtWeb.InferenceSession.OnnxValueMapType, name: string): Float32Array {
  const data = out[name]?.data;
  if (!(data instanceof Float32Array)) throw new ModelCallError(`output ${name} is missing or not float32`);
  return data;
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
