// Metrics and classical baselines of the model evaluation (training/eval/baselines.ts), on series whose answers
// are known exactly.
import { describe, expect, it } from 'vitest';
import { WQL_LEVELS, autoEts, effectivePeriod, mape, mase, maseScale, seasonalNaive, wqlParts } from '../../training/eval/baselines';

const season = [1, 3, 2, 5];
const periodic = Array.from({ length: 40 }, (_, t) => 10 + season[t % 4]);

describe('metrics', () => {
  it('MASE, MAPE and WQL are 0 for a perfect forecast and scale as defined', () => {
    const actual = [10, 20, 30];
    expect(mase(actual, actual, 2)).toBe(0);
    expect(mape(actual, actual)).toBe(0);
    expect(wqlParts(actual, { median: actual, quantiles: WQL_LEVELS.map(() => actual) }).loss).toBe(0);
    expect(mase(actual, [11, 21, 31], 2)).toBeCloseTo(0.5, 12);
    expect(mape([10, 20], [11, 18])).toBeCloseTo(10, 12);
    expect(maseScale([1, 2, 4, 7], 1)).toBeCloseTo(2, 12);
    // a point forecast scores 2·|error| at every level: WQL = Σ|e| / Σ|y|
    const parts = wqlParts([10, 10], { median: [12, 12], quantiles: WQL_LEVELS.map(() => [12, 12]) });
    expect(parts.loss / parts.norm).toBeCloseTo(0.2, 12);
  });

  it('uses the seasonal period only with two full seasons of history', () => {
    expect(effectivePeriod(12, 24)).toBe(12);
    expect(effectivePeriod(12, 23)).toBe(1);
    expect(effectivePeriod(1, 100)).toBe(1);
  });
});

describe('baselines', () => {
  it('seasonal naive repeats the last season', () => {
    const f = seasonalNaive(periodic, 4, 6);
    expect(f.median).toEqual([11, 13, 12, 15, 11, 13]);
    expect(f.quantiles[0]).toEqual(f.median); // no seasonal differences → no spread
  });

  // MSTL decomposes additively, so the noiseless test series is trend + season (a multiplicative one scores ~6%).
  it('AutoETS (augurs) forecasts a noiseless additive trend + season within 1%', () => {
    const y = Array.from({ length: 120 }, (_, t) => 100 + t + 20 * Math.sin((2 * Math.PI * t) / 12));
    const future = Array.from({ length: 12 }, (_, h) => 100 + 120 + h + 20 * Math.sin((2 * Math.PI * (120 + h)) / 12));
    const f = autoEts(y, 12, 12);
    expect(mape(future, f.median)).toBeLessThan(1);
    for (let i = 1; i < WQL_LEVELS.length; i++) for (let h = 0; h < 12; h++) expect(f.quantiles[i][h]).toBeGreaterThanOrEqual(f.quantiles[i - 1][h]);
  });
});

describe('evaluation scoring (training/eval/evaluate.ts)', () => {
  it('averages MASE and WQL per window and relates them to seasonal naive', async () => {
    const { score, markdownTable } = await import('../../training/eval/evaluate');
    const w = { dataset: 'airline', id: 'a', history: [1, 2, 1, 2, 1, 2], actual: [1, 2], period: 2 };
    const naive = seasonalNaive(w.history, 2, 2);
    const off = { median: [2, 3], quantiles: WQL_LEVELS.map(() => [2, 3]) };
    // the seasonal differences are 0, so MASE is undefined for the window: only WQL and MAPE count
    const scores = score([w], { model: [off], 'seasonal naive': [naive], 'AutoETS (augurs)': [naive] });
    expect(scores.map((s) => s.method)).toEqual(['model', 'seasonal naive', 'AutoETS (augurs)']);
    expect(scores[0].wql).toBeCloseTo(2 / 3, 12);
    expect(scores[0].mape).toBeCloseTo(75, 12);
    expect(scores[1].wql).toBe(0);
    expect(markdownTable(scores, 'm')).toContain('| airline (1) | **m** |');

    const w2 = { dataset: 'synthetic', id: 'b', history: [0, 1, 2, 3], actual: [4, 5], period: 1 };
    const s2 = score([w2], { model: [{ median: [4, 5], quantiles: WQL_LEVELS.map(() => [4, 5]) }], 'seasonal naive': [seasonalNaive(w2.history, 1, 2)], 'AutoETS (augurs)': [autoEts(w2.history, 1, 2)] });
    expect(s2[1].mase).toBeCloseTo(1.5, 12); // naive errors 1 and 2, scale 1
    expect(s2[0].mase).toBe(0);
    expect(Number.isNaN(s2[0].mape)).toBe(true);
  });
});
