// A small ONNX graph-building layer (in the spirit of onnx's helper.py): it owns node/initializer
// naming, the scope stack that makes node names trace back to checkpoint parameter names, and the
// final ModelProto serialisation. Typed operators live in ops.ts on top of it.
import { DataType, onnx, type DataTypeCode, type IAttributeProto, type INodeProto, type IOperatorSetIdProto, type ITensorProto, type IValueInfoProto } from './proto';

/** A symbolic or fixed dimension of a graph input/output. */
export type Dim = number | string;

/** Attribute values accepted by {@link GraphBuilder.node}. */
export type AttrValue = number | string | number[] | { float: number } | { floats: number[] } | { tensor: ITensorProto };

/** Data accepted for initializers. */
export type InitData = Float32Array | BigInt64Array | Uint16Array | Uint8Array;

const FLOAT_ATTRS = new Set(['alpha', 'beta', 'epsilon', 'value_float', 'gamma', 'scale', 'mask_filter_value']);

function toAttribute(name: string, value: AttrValue): IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    if (FLOAT_ATTRS.has(name) || !Number.isInteger(value)) return { name, type: T.FLOAT, f: value };
    return { name, type: T.INT, i: value };
  }
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if ('float' in value) return { name, type: T.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: T.FLOATS, floats: value.floats };
  return { name, type: T.TENSOR, t: value.tensor };
}

function bytesOf(data: InitData): Uint8Array {
  // NOTE: ONNX raw_data is little-endian; every platform onnxruntime-web runs on is little-endian.
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function elemTypeOf(data: InitData): DataTypeCode {
  if (data instanceof Float32Array) return DataType.FLOAT;
  if (data instanceof BigInt64Array) return DataType.INT64;
  if (data instanceof Uint8Array) return DataType.UINT8;
  return DataType.FLOAT16;
}

/**
 * A weight whose bytes are produced only while the model is serialised, straight into the output
 * buffer: the converter never holds a second full copy of the weights (peak memory ≈ checkpoint +
 * ONNX file).
 */
interface LazyWeight {
  name: string;
  dims: number[];
  dataType: DataTypeCode;
  byteLength: number;
  docString: string;
  /** Returns the tensor's data; called exactly once, during {@link GraphBuilder.toModelBytes}. */
  produce: () => InitData;
}

/** Protobuf wire helpers for the hand-written outer layers of the model (see toModelBytes). */
function varintSize(value: number): number {
  let size = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}
function writeVarint(out: Uint8Array, offset: number, value: number): number {
  while (value >= 128) {
    out[offset++] = (value % 128) | 128;
    value = Math.floor(value / 128);
  }
  out[offset++] = value;
  return offset;
}
/** Tag byte of a length-delimited field (all field numbers used here are < 16). */
const lenTag = (field: number): number => (field << 3) | 2;
const GRAPH_FIELD_IN_MODEL = 7;
const INITIALIZER_FIELD_IN_GRAPH = 5;
const RAW_DATA_FIELD_IN_TENSOR = 9;

/** Builds one ONNX graph: inputs, outputs, initializers and nodes with unique, scoped names. */
export class GraphBuilder {
  private readonly nodes: INodeProto[] = [];
  private readonly initializers: ITensorProto[] = [];
  private readonly lazyWeights: LazyWeight[] = [];
  private readonly inputs: IValueInfoProto[] = [];
  private readonly outputs: IValueInfoProto[] = [];
  private readonly usedNames = new Set<string>();
  private readonly scopes: string[] = [];
  private readonly constCache = new Map<string, string>();
  private parameterCount = 0;

  constructor(private readonly graphName: string) {}

  /** Runs `fn` with `name` pushed on the scope stack (names become `a.b.c/Op`). */
  scope<T>(name: string, fn: () => T): T {
    this.scopes.push(name);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** A name not used before, prefixed with the current scope. */
  uniqueName(base: string): string {
    const prefix = this.scopes.join('.');
    const full = prefix ? `${prefix}/${base}` : base;
    let name = full;
    for (let i = 1; this.usedNames.has(name); i++) name = `${full}_${i}`;
    this.usedNames.add(name);
    return name;
  }

  /** Declares a graph input. */
  input(name: string, elemType: DataTypeCode, dims: Dim[]): string {
    this.usedNames.add(name);
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /** Declares a graph output produced by the value `value` (an Identity renames it). */
  output(name: string, value: string, elemType: DataTypeCode, dims: Dim[]): void {
    this.usedNames.add(name);
    this.nodes.push({ opType: 'Identity', input: [value], output: [name], name: `${name}/Identity` });
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  /**
   * Adds a weight initializer under an exact name (a checkpoint parameter name), counting its
   * elements as model parameters. `produce` is called once, while serialising.
   */
  weight(
    name: string,
    dims: number[],
    produce: () => InitData,
    options: { docString?: string; dataType?: DataTypeCode; /** model parameters it stands for (default: its elements) */ parameters?: number } = {},
  ): string {
    if (this.usedNames.has(name)) throw new Error(`duplicate initializer name ${name}`);
    this.usedNames.add(name);
    const count = dims.reduce((a, b) => a * b, 1);
    const dataType = options.dataType ?? DataType.FLOAT;
    const bytesPerElement = { [DataType.UINT8]: 1, [DataType.FLOAT16]: 2, [DataType.INT64]: 8 }[dataType as number] ?? 4;
    this.lazyWeights.push({ name, dims, dataType, byteLength: count * bytesPerElement, docString: options.docString ?? '', produce });
    this.parameterCount += options.parameters ?? count;
    return name;
  }

  /** A small constant initializer (deduplicated by value), e.g. axes, shapes and scalars. */
  constant(data: Float32Array | BigInt64Array, dims: number[], hint = 'const'): string {
    const key = `${data instanceof Float32Array ? 'f' : 'i'}:${dims.join(',')}:${Array.from(data as ArrayLike<number | bigint>, String).join(',')}`;
    const cached = this.constCache.get(key);
    if (cached) return cached;
    const name = this.uniqueNameGlobal(`${hint}`);
    this.initializers.push({ name, dims, dataType: elemTypeOf(data), rawData: bytesOf(data) });
    this.constCache.set(key, name);
    return name;
  }

  /** Adds a node with one output and returns the output's name. */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, domain = ''): string {
    return this.nodeMulti(opType, inputs, 1, attrs, domain)[0];
  }

  /** Adds a node with `numOutputs` outputs and returns their names. */
  nodeMulti(opType: string, inputs: string[], numOutputs: number, attrs: Record<string, AttrValue> = {}, domain = ''): string[] {
    const name = this.uniqueName(opType);
    const outputs = Array.from({ length: numOutputs }, (_, i) => (numOutputs === 1 ? `${name}:0` : `${name}:${i}`));
    for (const o of outputs) this.usedNames.add(o);
    this.nodes.push({
      opType,
      domain,
      name,
      input: inputs,
      output: outputs,
      attribute: Object.entries(attrs).map(([k, v]) => toAttribute(k, v)),
    });
    return outputs;
  }

  /**
   * Adds a node whose outputs are optional: `wanted[i]` false leaves output i unnamed (''), as ONNX
   * allows for optional outputs. Returns the names, '' for skipped ones.
   */
  nodeOptionalOutputs(opType: string, inputs: string[], wanted: boolean[], attrs: Record<string, AttrValue> = {}, domain = ''): string[] {
    const name = this.uniqueName(opType);
    const outputs = wanted.map((w, i) => (w ? `${name}:${i}` : ''));
    for (const o of outputs) if (o) this.usedNames.add(o);
    // Trailing unnamed outputs can simply be dropped.
    let last = outputs.length;
    while (last > 0 && outputs[last - 1] === '') last--;
    this.nodes.push({
      opType,
      domain,
      name,
      input: inputs,
      output: outputs.slice(0, last),
      attribute: Object.entries(attrs).map(([k, v]) => toAttribute(k, v)),
    });
    return outputs;
  }

  /** Number of model parameters added with {@link weight}. */
  get parameters(): number {
    return this.parameterCount;
  }

  /**
   * Serialises the graph into ModelProto bytes. The model and graph messages without the weights are
   * encoded by protobufjs; each weight's TensorProto is appended to the graph by hand (repeated fields
   * may appear anywhere in a message), its raw_data written directly into the one output buffer.
   */
  toModelBytes(options: { opset: number; producer: string; docString?: string; metadata?: Record<string, string>; msOpset?: number }): Uint8Array {
    const opsetImport: IOperatorSetIdProto[] = [{ domain: '', version: options.opset }];
    if (options.msOpset) opsetImport.push({ domain: 'com.microsoft', version: options.msOpset });
    const graphBase = onnx.GraphProto.encode({
      name: this.graphName,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
    }).finish();
    const modelBase = onnx.ModelProto.encode({
      irVersion: 8,
      producerName: options.producer,
      producerVersion: '1',
      docString: options.docString ?? '',
      opsetImport,
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    }).finish();

    // TensorProto of each weight without raw_data, then raw_data's tag + length + bytes.
    const headers = this.lazyWeights.map((w) =>
      onnx.TensorProto.encode({ name: w.name, dims: w.dims, dataType: w.dataType, docString: w.docString }).finish(),
    );
    const tensorSizes = this.lazyWeights.map((w, i) => headers[i].length + 1 + varintSize(w.byteLength) + w.byteLength);
    let graphSize = graphBase.length;
    for (const size of tensorSizes) graphSize += 1 + varintSize(size) + size;
    const total = modelBase.length + 1 + varintSize(graphSize) + graphSize;
    if (total > 2 ** 31 - 1) throw new Error(`the ONNX model would be ${total} bytes; protobuf files are limited to 2 GiB`);

    const out = new Uint8Array(total);
    out.set(modelBase, 0);
    let at = modelBase.length;
    out[at++] = lenTag(GRAPH_FIELD_IN_MODEL);
    at = writeVarint(out, at, graphSize);
    out.set(graphBase, at);
    at += graphBase.length;
    this.lazyWeights.forEach((w, i) => {
      out[at++] = lenTag(INITIALIZER_FIELD_IN_GRAPH);
      at = writeVarint(out, at, tensorSizes[i]);
      out.set(headers[i], at);
      at += headers[i].length;
      out[at++] = lenTag(RAW_DATA_FIELD_IN_TENSOR);
      at = writeVarint(out, at, w.byteLength);
      const data = w.produce();
      if (data.byteLength !== w.byteLength) throw new Error(`weight ${w.name}: ${data.byteLength} bytes, expected ${w.byteLength}`);
      out.set(bytesOf(data), at);
      at += w.byteLength;
    });
    if (at !== total) throw new Error(`internal error: wrote ${at} of ${total} model bytes`);
    return out;
  }

  private uniqueNameGlobal(base: string): string {
    let name = base;
    for (let i = 1; this.usedNames.has(name); i++) name = `${base}_${i}`;
    this.usedNames.add(name);
    return name;
  }
}

function valueInfo(name: string, elemType: DataTypeCode, dims: Dim[]): IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}
