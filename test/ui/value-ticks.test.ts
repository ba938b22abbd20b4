// The value axis of the fan chart (src/ui/chart/value-ticks.ts): round ticks that cover the data, about the
// number asked for, without float noise, for flat, negative, tiny and huge series.
import { describe, expect, it } from 'vitest';
import { valueAxis } from '../../src/ui/chart/value-ticks';

describe('valueAxis', () => {
  it('covers the airline range with round steps', () => {
    expect(valueAxis(104, 622)).toEqual({ domain: [0, 800], ticks: [0, 200, 400, 600, 800] });
  });

  it('keeps the count near the one asked for and the domain on the first and last tick', () => {
    for (const [min, max] of [[0.12, 0.97], [-37, 12], [1e6, 1.3e6], [3.2e-5, 9.1e-5], [-5, -1], [999, 1001]]) {
      const axis = valueAxis(min, max)!;
      expect(axis.ticks.length, `${min}..${max}`).toBeGreaterThanOrEqual(3);
      expect(axis.ticks.length, `${min}..${max}`).toBeLessThanOrEqual(7);
      expect(axis.domain).toEqual([axis.ticks[0], axis.ticks.at(-1)]);
      expect(axis.domain[0]).toBeLessThanOrEqual(min);
      expect(axis.domain[1]).toBeGreaterThanOrEqual(max);
      const step = axis.ticks[1] - axis.ticks[0];
      const mantissa = step / 10 ** Math.floor(Math.log10(step));
      expect([1, 2, 2.5, 5].some((m) => Math.abs(mantissa - m) < 1e-9), `step ${step}`).toBe(true);
    }
  });

  it('writes ticks without float noise', () => {
    expect(valueAxis(0.1, 0.7)!.ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(valueAxis(0.01, 0.03)!.ticks).toEqual([0.01, 0.015, 0.02, 0.025, 0.03]);
  });

  it('puts a band around a flat series and gives null without finite values', () => {
    const flat = valueAxis(50, 50)!;
    expect(flat.domain[0]).toBeLessThan(50);
    expect(flat.domain[1]).toBeGreaterThan(50);
    expect(valueAxis(0, 0)!.ticks).toContain(0);
    expect(valueAxis(Infinity, -Infinity)).toBeNull();
    // A span that overflows is left to recharts; one below float precision at its magnitude is flat.
    expect(valueAxis(-1e308, 1e308)).toBeNull();
    const nearlyFlat = valueAxis(1, 1 + 1e-15)!;
    expect(nearlyFlat.domain[0]).toBeLessThan(1);
    expect(nearlyFlat.domain[1]).toBeGreaterThan(1);
    expect(new Set(nearlyFlat.ticks).size).toBe(nearlyFlat.ticks.length);
    expect(valueAxis(NaN, 3)).toBeNull();
  });
});
