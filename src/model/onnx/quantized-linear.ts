// A linear layer with weight-only block quantization: com.microsoft MatMulNBits with `bits`-bit codes,
// float scales and zero points per block of 32 inputs. The three initializers come from one checkpoint
// tensor, quantized once when the first of them is serialised (weights stay lazy, see GraphBuilder).
import type { GraphBuilder } from './graph-builder';
import { DataType } from './proto';
import { quantizeBlockwise, type QuantBits, type QuantizedWeight } from './quantize';
import type { Value } from './ops';

/** Inputs per quantization block. */
export const QUANT_BLOCK_SIZE = 32;

/**
 * Y = X · dequant(W)ᵀ for the checkpoint weight `name` ([outDim, inDim], PyTorch Linear layout, which is
 * MatMulNBits' own layout, so nothing is transposed). Initializer names: `<name>.q<bits>`, `.scales`, `.zero_points`.
 */
export function quantizedLinear(
  g: GraphBuilder,
  x: Value,
  name: string,
  inDim: number,
  outDim: number,
  bits: QuantBits,
  weight: () => Float32Array,
): Value {
  let cached: QuantizedWeight | undefined;
  let served = 0;
  // Quantize on first use; drop the result once all three initializers have been written.
  const take = <T>(pick: (q: QuantizedWeight) => T): (() => T) => () => {
    cached ??= quantizeBlockwise(weight(), outDim, inDim, bits, QUANT_BLOCK_SIZE);
    const value = pick(cached);
    if (++served === 3) cached = undefined;
    return value;
  };
  const blocks = Math.ceil(inDim / QUANT_BLOCK_SIZE);
  const blockBytes = (QUANT_BLOCK_SIZE * bits) / 8;
  const zpBytes = bits === 8 ? outDim * blocks : outDim * Math.ceil(blocks / 2);
  const doc = `MatMulNBits ${bits}-bit, block ${QUANT_BLOCK_SIZE}, asymmetric`;
  const codes = g.weight(`${name}.q${bits}`, [outDim, blocks, blockBytes], take((q) => q.codes), {
    dataType: DataType.UINT8,
    docString: doc,
    parameters: outDim * inDim,
  });
  const scales = g.weight(`${name}.scales`, [outDim * blocks], take((q) => q.scales), { docString: doc, parameters: 0 });
  const zeroPoints = g.weight(`${name}.zero_points`, [zpBytes], take((q) => q.zeroPoints), { dataType: DataType.UINT8, docString: doc, parameters: 0 });
  return g.node('MatMulNBits', [x, codes, scales, zeroPoints], { K: inDim, N: outDim, bits, block_size: QUANT_BLOCK_SIZE }, 'com.microsoft');
}
