// Reads the checkpoint weights back out of a float32 model this converter wrote: initializers carry the checkpoint
// parameter names, and Linear weights (stored transposed for MatMul) say so in their doc string. This is what lets
// a LoRA adapter be merged into a base that is cached only as ONNX: the base is downloaded and converted once, and
// every adapter of it is merged from that copy, with no second download of its weights.
import type { Chronos2Config } from '../config';
import { expectedTensorShapes } from '../checkpoint-names';
import { DataType, onnx } from './proto';

/** The ONNX file is not a float32 model of this converter, so its weights cannot be recovered exactly. */
export class OnnxWeightsError extends Error {
  override readonly name = 'OnnxWeightsError';
}

const TRANSPOSED_DOC = 'stored transposed: [in_features, out_features]';

/**
 * A weight source over a converted float32 model: `(name) => Float32Array` in checkpoint layout ([out, in] for
 * Linear weights). Every checkpoint parameter of `config` is checked to be present with its shape before this
 * returns.
 * @throws OnnxWeightsError when the model stores weights as float16 / int8 / int4, or lacks a parameter
 */
export function weightsFromOnnx(bytes: Uint8Array, config: Chronos2Config, name = 'the base model'): (name: string) => Float32Array {
  const model = onnx.ModelProto.decode(bytes);
  const storage = model.metadataProps?.find((p) => p.key === 'weights')?.value;
  if (storage && storage !== 'float32') {
    throw new OnnxWeightsError(`${name} is stored with ${storage} weights; an adapter needs the exact float32 weights of its base (convert the base with float32 weights).`);
  }
  const byName = new Map((model.graph?.initializer ?? []).map((t) => [t.name ?? '', t]));
  const expected = expectedTensorShapes(config);
  for (const [param, shape] of expected) {
    const t = byName.get(param);
    const dims = (t?.dims ?? []).map(Number);
    const transposed = t?.docString === TRANSPOSED_DOC;
    const want = transposed ? [shape[1], shape[0]] : shape;
    if (!t || t.dataType !== DataType.FLOAT || !t.rawData || dims.length !== want.length || dims.some((d, i) => d !== want[i])) {
      throw new OnnxWeightsError(`${name}: its ONNX file has no float32 weight ${param} of shape [${want.join(', ')}]; it was not converted from a checkpoint by this converter.`);
    }
  }
  return (param) => {
    const t = byName.get(param);
    const shape = expected.get(param);
    if (!t?.rawData || !shape) throw new OnnxWeightsError(`${name}: no weight ${param}`);
    const raw = t.rawData;
    const values = new Float32Array(raw.byteLength / 4);
    new Uint8Array(values.buffer).set(raw);
    if (t.docString !== TRANSPOSED_DOC) return values;
    // [in, out] → [out, in]
    const [out, inF] = shape;
    const back = new Float32Array(values.length);
    for (let i = 0; i < inF; i++) for (let o = 0; o < out; o++) back[o * inF + i] = values[i * out + o];
    return back;
  };
}
