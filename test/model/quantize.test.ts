// Block quantization for MatMulNBits: codes round-trip within half a step per block, zero stays exact,
// packing follows onnxruntime's layout, and onnxruntime's MatMulNBits computes X·dequant(W)ᵀ with it.
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/model/onnx/graph-builder';
import { DataType } from '../../src/model/onnx/proto';
import { dequantizeBlockwise, quantizeBlockwise, type QuantBits } from '../../src/model/onnx/quantize';

function randomWeight(n: number, k: number, seed = 3): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n * k }, () => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.3) * 2);
}

describe.each([4, 8] as QuantBits[])('%i-bit block quantization', (bits) => {
  const n = 5;
  const k = 80; // not a multiple of the block: exercises padding
  const block = 32;
  const w = randomWeight(n, k);
  w[7] = 0;
  const q = quantizeBlockwise(w, n, k, bits, block);
  const back = dequantizeBlockwise(q, n, k, bits, block);

  it('reconstructs each weight within half a quantization step of its block', () => {
    for (let row = 0; row < n; row++) {
      for (let i = 0; i < k; i++) {
        const scale = q.scales[row * q.blocksPerRow + Math.floor(i / block)];
        expect(Math.abs(back[row * k + i] - w[row * k + i])).toBeLessThanOrEqual(scale / 2 + 1e-7);
      }
    }
    expect(back[7]).toBe(0);
  });

  it('matches onnxruntime MatMulNBits', async () => {
    const g = new GraphBuilder('q');
    const x = g.input('x', DataType.FLOAT, [2, k]);
    const codes = g.weight('codes', [n, q.blocksPerRow, q.blockBytes], () => q.codes, { dataType: DataType.UINT8 });
    const scales = g.weight('scales', [n * q.blocksPerRow], () => q.scales);
    const zps = g.weight('zp', [q.zeroPoints.length], () => q.zeroPoints, { dataType: DataType.UINT8 });
    const y = g.node('MatMulNBits', [x, codes, scales, zps], { K: k, N: n, bits, block_size: block }, 'com.microsoft');
    g.output('y', y, DataType.FLOAT, [2, n]);
    const session = await ort.InferenceSession.create(g.toModelBytes({ opset: 17, msOpset: 1, producer: 'test' }));
    const input = Float32Array.from({ length: 2 * k }, (_, i) => Math.sin(i));
    const out = (await session.run({ x: new ort.Tensor('float32', input, [2, k]) })).y.data as Float32Array;
    for (let r = 0; r < 2; r++) {
      for (let c = 0; c < n; c++) {
        let expected = 0;
        for (let i = 0; i < k; i++) expected += input[r * k + i] * back[c * k + i];
        expect(out[r * n + c]).toBeCloseTo(expected, 4);
      }
    }
  });
});
