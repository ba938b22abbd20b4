// Weight-only block quantization for onnxruntime's com.microsoft MatMulNBits: a linear layer's weight
// [out = N, in = K] becomes N·ceil(K/block) blocks of `bits`-bit codes with a float scale and an unsigned
// zero point each, dequantized on the fly as (code − zero_point)·scale. Activations stay float32.

/** Bits per weight code. */
export type QuantBits = 4 | 8;

/** A weight in MatMulNBits layout. */
export interface QuantizedWeight {
  /** [N, blocksPerRow, blockBytes] codes; 4-bit codes pack two per byte, the first in the low nibble. */
  codes: Uint8Array;
  /** [N, blocksPerRow] scales. */
  scales: Float32Array;
  /** Zero points: 8-bit → [N, blocksPerRow]; 4-bit → [N, ceil(blocksPerRow/2)] packed like the codes. */
  zeroPoints: Uint8Array;
  blocksPerRow: number;
  blockBytes: number;
}

/**
 * Asymmetric min/max quantization of `weight` ([n][k] row-major, the PyTorch Linear layout) in blocks of
 * `blockSize` along k. Each block maps [min(w, 0), max(w, 0)] onto the code range so that 0 stays exact.
 */
export function quantizeBlockwise(weight: Float32Array, n: number, k: number, bits: QuantBits, blockSize: number): QuantizedWeight {
  if (weight.length !== n * k) throw new Error(`weight has ${weight.length} values, expected ${n}×${k}`);
  if (blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) throw new Error(`block size must be a power of two ≥ 16, got ${blockSize}`);
  const levels = (1 << bits) - 1;
  const blocksPerRow = Math.ceil(k / blockSize);
  const blockBytes = (blockSize * bits) / 8;
  const codes = new Uint8Array(n * blocksPerRow * blockBytes);
  const scales = new Float32Array(n * blocksPerRow);
  const zpPerRow = bits === 8 ? blocksPerRow : Math.ceil(blocksPerRow / 2);
  const zeroPoints = new Uint8Array(n * zpPerRow);
  if (bits === 4) zeroPoints.fill(0x88); // unused trailing nibbles hold the default zero point
  for (let row = 0; row < n; row++) {
    for (let b = 0; b < blocksPerRow; b++) {
      const start = row * k + b * blockSize;
      const end = row * k + Math.min(k, (b + 1) * blockSize);
      let lo = 0;
      let hi = 0;
      for (let i = start; i < end; i++) {
        lo = Math.min(lo, weight[i]);
        hi = Math.max(hi, weight[i]);
      }
      const scale = Math.fround(hi > lo ? (hi - lo) / levels : 1);
      const zp = Math.min(levels, Math.max(0, Math.round(-lo / scale)));
      scales[row * blocksPerRow + b] = scale;
      if (bits === 8) zeroPoints[row * zpPerRow + b] = zp;
      else {
        const at = row * zpPerRow + (b >> 1);
        zeroPoints[at] = b % 2 === 0 ? (zeroPoints[at] & 0xf0) | zp : (zeroPoints[at] & 0x0f) | (zp << 4);
      }
      const base = (row * blocksPerRow + b) * blockBytes;
      for (let i = start; i < end; i++) {
        const q = Math.min(levels, Math.max(0, Math.round(weight[i] / scale) + zp));
        const j = i - start;
        if (bits === 8) codes[base + j] = q;
        else codes[base + (j >> 1)] |= j % 2 === 0 ? q : q << 4;
      }
      // Padding beyond k in the last block dequantizes to 0: code = zero point.
      for (let j = end - start; j < blockSize; j++) {
        if (bits === 8) codes[base + j] = zp;
        else codes[base + (j >> 1)] |= j % 2 === 0 ? zp : zp << 4;
      }
    }
  }
  return { codes, scales, zeroPoints, blocksPerRow, blockBytes };
}

/** The float32 weight [n][k] a quantized weight stands for (for error measurement and tests). */
export function dequantizeBlockwise(q: QuantizedWeight, n: number, k: number, bits: QuantBits, blockSize: number): Float32Array {
  const out = new Float32Array(n * k);
  const zpPerRow = bits === 8 ? q.blocksPerRow : Math.ceil(q.blocksPerRow / 2);
  for (let row = 0; row < n; row++) {
    for (let i = 0; i < k; i++) {
      const b = Math.floor(i / blockSize);
      const j = i % blockSize;
      const base = (row * q.blocksPerRow + b) * q.blockBytes;
      const code = bits === 8 ? q.codes[base + j] : (q.codes[base + (j >> 1)] >> (j % 2 === 0 ? 0 : 4)) & 0xf;
      const zpByte = bits === 8 ? q.zeroPoints[row * zpPerRow + b] : q.zeroPoints[row * zpPerRow + (b >> 1)];
      const zp = bits === 8 ? zpByte : (zpByte >> (b % 2 === 0 ? 0 : 4)) & 0xf;
      out[row * k + i] = Math.fround((code - zp) * q.scales[row * q.blocksPerRow + b]);
    }
  }
  return out;
}
