// A one-node ONNX model (X[m,k] × W[k,n]) used as the practical matmul ceiling of a backend: the same
// onnxruntime kernels the Chronos-2 graph spends its time in, without anything else around them.
import { GraphBuilder } from '../model/onnx/graph-builder';
import { DataType } from '../model/onnx/proto';

/** ONNX bytes of Y = X · W with a fixed random W [k, n]; X is the input `x` [m, k]. */
export function matmulModel(k: number, n: number): Uint8Array {
  const g = new GraphBuilder('matmul');
  const x = g.input('x', DataType.FLOAT, ['m', k]);
  const w = g.weight('w', [k, n], () => {
    const data = new Float32Array(k * n);
    let s = 1;
    for (let i = 0; i < data.length; i++) {
      s = (s * 16807) % 2147483647;
      data[i] = s / 2147483647 - 0.5;
    }
    return data;
  });
  g.output('y', g.node('MatMul', [x, w]), DataType.FLOAT, ['m', n]);
  return g.toModelBytes({ opset: 17, producer: 'chronos-web-bench' });
}
