// The evaluation library (src/eval): Nixtla-style rolling-origin cutoffs, the baselines (seasonal naive and
// augurs' AutoETS on the airline series, against known figures), the season choice, and the scale-free
// aggregates (geometric means, fev-bench skill scores) on hand-computed cases.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeFrequency, STEP_FREQUENCY } from '../../src/data/timestamps';
import { initAugursNode } from '../../src/eval/augurs-node';
import {
  autoEtsForecast,
  backtest,
  BacktestError,
  backtestCutoffs,
  chooseSeason,
  fillGaps,
  geometricMean,
  mape,
  normalQuantile,
  seasonalNaiveForecast,
  summarize,
  type ScoredWindow,
} from '../../src/eval';

const LEVELS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
const airline = readFileSync(path.join(__dirname, '../../public/airline-passengers.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => Number(l.split(',')[1]));

beforeAll(() => initAugursNode());

describe('rolling-origin cutoffs (Nixtla cross_validation convention)', () => {
  it('the last window ends with the series; earlier ones step back', () => {
    expect(backtestCutoffs(144, { h: 12, windows: 3, step: 12 })).toEqual([108, 120, 132]);
    expect(backtestCutoffs(144, { h: 12, windows: 3, step: 1 })).toEqual([130, 131, 132]);
    expect(backtestCutoffs(20, { h: 5, windows: 1, step: 5 })).toEqual([15]);
  });

  it('refuses windows the data cannot hold, saying what would fit', () => {
    expect(() => backtestCutoffs(30, { h: 12, windows: 3, step: 12 }, 3, 'sales')).toThrow(BacktestError);
    expect(() => backtestCutoffs(30, { h: 12, windows: 3, step: 12 }, 3, 'sales')).toThrow(/'sales' has 30 values; 3 windows of 12 steps, 12 apart, need at least 39/);
    expect(() => backtestCutoffs(30, { h: 0, windows: 1, step: 1 })).toThrow(/horizon must be a whole number/);
  });
});

describe('baselines', () => {
  it('seasonal naive repeats the last season, with quantiles widening per season ahead', () => {
    const y = Array.from({ length: 24 }, (_, t) => 10 + (t % 4) + (t % 8 === 0 ? 1 : 0));
    const f = seasonalNaiveForecast(y, 4, 8, LEVELS);
    expect(f.label).toBe('Seasonal naive (m = 4)');
    expect(Array.from(f.median)).toEqual([10, 11, 12, 13, 10, 11, 12, 13]);
    // σ of the seasonal differences; the second season ahead widens by √2.
    const sigma = Math.sqrt(5 / 20); // 5 of the 20 seasonal differences are ±1
    expect(f.quantiles[8][0] - f.median[0]).toBeCloseTo(1.2815516 * sigma, 6);
    expect(f.quantiles[8][4] - f.median[4]).toBeCloseTo(1.2815516 * sigma * Math.SQRT2, 6);
    expect(seasonalNaiveForecast(y, 1, 2, LEVELS).label).toBe('Naive');
    expect(seasonalNaiveForecast([1, 2, 3], 12, 2, LEVELS).label).toBe('Naive'); // shorter than a season
  });

  it('seasonal naive on airline 1960 scores the known MAPE of 9.99%', () => {
    const f = seasonalNaiveForecast(airline.slice(0, 132), 12, 12, LEVELS);
    expect(mape(airline.slice(132), f.median)).toBeCloseTo(9.99, 2);
  });

  it('AutoETS (augurs MSTL+ETS) on airline train 1949–1959 → 1960: MAPE 5.11%, ordered quantiles', () => {
    const f = autoEtsForecast(airline.slice(0, 132), 12, 12, LEVELS);
    expect(f.failure).toBeUndefined();
    expect(f.label).toBe('AutoETS (augurs, MSTL+ETS, m = 12)');
    expect(mape(airline.slice(132), f.median)).toBeCloseTo(5.11, 1);
    for (let q = 1; q < LEVELS.length; q++) for (let t = 0; t < 12; t++) expect(f.quantiles[q][t]).toBeGreaterThanOrEqual(f.quantiles[q - 1][t]);
    expect(Array.from(f.quantiles[4])).toEqual(Array.from(f.median));
  });

  it('AutoETS falls back to non-seasonal ETS with less than two seasons, and says why it cannot fit', () => {
    expect(autoEtsForecast(airline.slice(0, 20), 12, 3, LEVELS).label).toBe('AutoETS (augurs)');
    const tiny = autoEtsForecast([1, 2, 3], 12, 3, LEVELS);
    expect(tiny.failure).toMatch(/fewer than 4 observed values/);
    expect(Number.isNaN(tiny.median[0])).toBe(true);
  });

  it('gaps are interpolated for the classical methods; the normal quantile is exact', () => {
    expect(Array.from(fillGaps([NaN, 1, NaN, 3, NaN]))).toEqual([1, 2, 3, 3]);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 6);
  });
});

describe('season', () => {
  it('from the frequency, the user, or estimated for steps', () => {
    expect(chooseSeason(makeFrequency('month')).season).toBe(12);
    expect(chooseSeason(makeFrequency('quarter')).season).toBe(4);
    expect(chooseSeason(makeFrequency('day')).season).toBe(7);
    expect(chooseSeason(makeFrequency('quarter'), 2)).toMatchObject({ season: 2, source: 'given' });
    expect(chooseSeason(STEP_FREQUENCY, undefined, [airline])).toMatchObject({ season: 12, source: 'estimated' });
    expect(chooseSeason(STEP_FREQUENCY, undefined, [[1, 2, 3]])).toMatchObject({ season: 1, source: 'none' });
  });
});

describe('backtest and aggregates', () => {
  it('scores each window from its own history only', async () => {
    const seen: number[] = [];
    const windows = await backtest([{ name: 'air', values: airline }], { h: 12, windows: 3, step: 12 }, {
      // A forecaster that repeats the last training value, to check what each window is given.
      forecast: async (requests) =>
        requests.map((r) => {
          seen.push(r.train.length);
          const last = r.train[r.train.length - 1];
          return { levels: [0.1, 0.5, 0.9], quantiles: [0.9, 1, 1.1].map((k) => new Array(r.h).fill(last * k)) };
        }),
      modelLabel: 'last value',
      season: 12,
    });
    expect(seen).toEqual([108, 120, 132]);
    expect(windows.map((w) => w.cutoff)).toEqual([108, 120, 132]);
    expect(windows[2].forecasts.map((f) => f.method)).toEqual(['model', 'seasonal-naive', 'auto-ets']);
    expect(Array.from(windows[2].actual)).toEqual(airline.slice(132));
    expect(windows[2].scores[0].mae).toBeCloseTo(airline.slice(132).reduce((s, v) => s + Math.abs(v - airline[131]), 0) / 12, 9);
    const summary = summarize(windows);
    expect(summary.map((s) => s.method)).toEqual(['model', 'seasonal-naive', 'auto-ets']);
    expect(summary[1]).toMatchObject({ relativeMae: 1, skillMase: 0, skillWql: 0 });
  });

  it('skill score = 1 − geometric mean of clipped relative errors (fev-bench)', () => {
    const window = (mase: number[], wql: number[]): ScoredWindow => ({
      series: 's',
      window: 0,
      cutoff: 1,
      actual: new Float64Array(1),
      forecasts: ['model', 'seasonal-naive'].map((method) => ({ method, label: method, levels: [], quantiles: [], median: new Float64Array(1) })),
      scores: mase.map((m, i) => ({ mae: m, rmse: m, mape: NaN, smape: NaN, mase: m, wql: wql[i], coverage80: NaN })),
    });
    // ratios 0.5 and 2 → gmean 1 → skill 0; ratios 0.25 and 1 → gmean 0.5 → skill 0.5; 1e-4 is clipped to 0.01
    expect(summarize([window([1, 2], [1, 1]), window([4, 2], [1, 1])])[0].skillMase).toBeCloseTo(0, 12);
    expect(summarize([window([1, 4], [1, 1]), window([2, 2], [1, 1])])[0].skillMase).toBeCloseTo(0.5, 12);
    expect(summarize([window([1e-4, 1], [1, 1])])[0].skillMase).toBeCloseTo(0.99, 12);
    expect(summarize([window([1, 4], [1, 1]), window([2, 2], [1, 1])])[0].relativeMae).toBeCloseTo(0.5, 12);
    expect(geometricMean([1, 4, NaN, 0])).toBe(2);
  });
});
