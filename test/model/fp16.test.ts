// Float16 weight storage: the float32 → float16 rounding against the exact float16 → float32 widening of the
// safetensors reader (every half value, halfway cases, overflow), and the accuracy it costs on the golden cases of
// the reference pipeline (random-small, converted with fp16 storage, on onnxruntime-web WASM in Node).
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { float32ToFloat16Bits, Float16RangeError, FP16_GOLDEN_ERROR, toFloat16 } from '../../src/model/onnx/fp16';
import { float16ToFloat32 } from '../../src/model/safetensors';
import { runnerFromDir } from '../../src/node/model-files';
import { runGoldenCase, type GoldenCase } from '../../src/parity/golden-case';

const fixtures = path.resolve(__dirname, '../fixtures/chronos2');

describe('float32ToFloat16Bits', () => {
  it('round-trips every float16 value exactly', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = float16ToFloat32(bits);
      if (Number.isNaN(value)) expect(float32ToFloat16Bits(value) & 0x7c00).toBe(0x7c00);
      else expect(float32ToFloat16Bits(value)).toBe(bits);
    }
  });

  it('rounds half to even, including subnormals, and overflows to infinity', () => {
    const one = 0x3c00;
    const ulp = 2 ** -10;
    expect(float32ToFloat16Bits(1 + ulp / 2)).toBe(one); // tie → even (1.0)
    expect(float32ToFloat16Bits(1 + (3 * ulp) / 2)).toBe(one + 2); // tie → even (1 + 2 ulp)
    expect(float32ToFloat16Bits(1 + ulp / 2 + 2 ** -20)).toBe(one + 1);
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0); // half of the smallest subnormal → 0 (even)
    expect(float32ToFloat16Bits(3 * 2 ** -25)).toBe(2); // 1.5 subnormal ulps → 2
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00); // rounds up past the largest finite half
    expect(float32ToFloat16Bits(-Infinity)).toBe(0xfc00);
  });

  it('refuses a weight beyond the float16 range, naming the tensor', () => {
    expect(() => toFloat16(new Float32Array([1, 70000]), 'encoder.block.0.w')).toThrow(Float16RangeError);
    expect(() => toFloat16(new Float32Array([1, 70000]), 'encoder.block.0.w')).toThrow(/encoder\.block\.0\.w: value 70000 at index 1/);
  });
});

describe('fp16 storage on the golden cases (random-small)', () => {
  const cases = readdirSync(path.join(fixtures, 'cases'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ name: f.replace(/\.json$/, ''), c: JSON.parse(readFileSync(path.join(fixtures, 'cases', f), 'utf8')) as GoldenCase }))
    .filter(({ c }) => c.model === 'random-small');

  it(`stays within the stated ${FP16_GOLDEN_ERROR} of max |expected| per task`, async () => {
    const runner = await runnerFromDir(path.join(fixtures, 'models/random-small'), { weightStorage: 'float16' });
    let worst = 0;
    try {
      for (const { name, c } of cases) {
        const result = await runGoldenCase(runner, name, c, FP16_GOLDEN_ERROR);
        worst = Math.max(worst, result.worst);
        expect(result.worst, name).toBeLessThanOrEqual(FP16_GOLDEN_ERROR);
      }
    } finally {
      await runner.dispose();
    }
    // The statement must not be far looser than what is measured either.
    expect(worst).toBeGreaterThan(FP16_GOLDEN_ERROR / 10);
    console.log(`fp16 storage: worst relative error over ${cases.length} golden cases ${worst.toExponential(2)}`);
  });
});
