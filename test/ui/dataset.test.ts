// Tasks and model inputs built from the data layer's series: multivariate alignment, the backtest cut with
// held-out covariates, known-future covariates padded to the requested length, and context trimming.
import { stepAxis } from '../../src/data/time-axis';
import { describe, expect, it } from 'vitest';
import type { ForecastSeries, SeriesSet } from '../../src/data/table';
import { makeFrequency } from '../../src/data/timestamps';
import { alignSeries, buildTasks, canBeMultivariate, prepareRun, seriesRefs } from '../../src/state/dataset';

const DAILY = makeFrequency('day');
const day = (d: number) => Date.UTC(2024, 0, d);

function series(id: string, firstDay: number, values: number[], extra: Partial<ForecastSeries> = {}): ForecastSeries {
  return {
    id,
    targetColumn: id,
    timestamps: values.map((_, i) => day(firstDay + i)),
    target: Float64Array.from(values),
    pastCovariates: {},
    futureCovariates: {},
    futureTimestamps: [],
    ...extra,
  };
}

function set(list: ForecastSeries[], futureCovariateNames: string[] = []): SeriesSet {
  return { series: list, frequency: DAILY, timeAxis: stepAxis(DAILY), pastCovariateNames: [], futureCovariateNames, knownFutureLength: 0, warnings: [] };
}

describe('tasks', () => {
  it('one task per series unless multivariate', () => {
    const s = set([series('a', 1, [1, 2, 3]), series('b', 1, [4, 5, 6])]);
    expect(buildTasks(s, false)).toHaveLength(2);
    const joint = buildTasks(s, true);
    expect(joint).toHaveLength(1);
    expect(seriesRefs(joint)).toEqual([
      { name: 'a', task: 0, variate: 0 },
      { name: 'b', task: 0, variate: 1 },
    ]);
    expect(canBeMultivariate(s)).toBe(true);
    expect(canBeMultivariate(set([series('a', 1, [1, 2, 3])]))).toBe(false);
  });

  it('aligns series of different spans on one grid with NaN padding', () => {
    const task = alignSeries([series('a', 1, [1, 2, 3, 4]), series('b', 3, [7, 8, 9])], DAILY);
    expect(task.timestamps).toEqual([1, 2, 3, 4, 5].map(day));
    expect(Array.from(task.targets[0])).toEqual([1, 2, 3, 4, NaN]);
    expect(Array.from(task.targets[1])).toEqual([NaN, NaN, 7, 8, 9]);
  });

  it('keeps long-table ids apart in multivariate mode', () => {
    const s = set([
      series('x/u', 1, [1, 2, 3], { groupId: 'x' }),
      series('x/v', 1, [4, 5, 6], { groupId: 'x' }),
      series('y/u', 1, [7, 8, 9], { groupId: 'y' }),
    ]);
    expect(buildTasks(s, true).map((t) => t.names)).toEqual([['x/u', 'x/v'], ['y/u']]);
  });
});

describe('prepareRun', () => {
  const withCovariates = series('sales', 1, [10, 11, 12, 13, 14, 15], {
    pastCovariates: { promo: ['no', 'yes', 'no', '', 'yes', 'no'], temp: [1, 2, 3, 4, 5, 6] },
    futureCovariates: { promo: ['yes', 'no'] },
    futureTimestamps: [day(7), day(8)],
  });

  it('forecast mode: known future values, padded to the prediction length', () => {
    const [task] = buildTasks(set([withCovariates], ['promo']), false);
    const run = prepareRun([task], DAILY, null, 4, 512, ['promo']);
    const dict = run.dicts[0];
    expect(Array.from(dict.target as Float64Array)).toEqual([10, 11, 12, 13, 14, 15]);
    expect(dict.past_covariates?.promo).toEqual(['no', 'yes', 'no', null, 'yes', 'no']);
    expect(Array.from(dict.past_covariates?.temp as Float64Array)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(dict.future_covariates?.promo).toEqual(['yes', 'no', null, null]);
    expect(run.cuts).toEqual([6]);
    expect(run.forecastTimestamps[0]).toEqual([7, 8, 9, 10].map(day));
    expect(run.actuals).toBeNull();
  });

  it('backtest: cuts the holdout, gives its covariate values as the future, returns the actuals', () => {
    const [task] = buildTasks(set([withCovariates], ['promo']), false);
    const run = prepareRun([task], DAILY, 2, 2, 512, ['promo']);
    const dict = run.dicts[0];
    expect(Array.from(dict.target as Float64Array)).toEqual([10, 11, 12, 13]);
    expect(dict.future_covariates?.promo).toEqual(['yes', 'no']);
    expect(Array.from(dict.past_covariates?.temp as Float64Array)).toEqual([1, 2, 3, 4]);
    expect(run.forecastTimestamps[0]).toEqual([5, 6].map(day));
    expect(run.actuals?.[0].map((a) => Array.from(a))).toEqual([[14, 15]]);
  });

  it('sends at most the context length of history', () => {
    const [task] = buildTasks(set([series('y', 1, Array.from({ length: 20 }, (_, i) => i))]), false);
    const run = prepareRun([task], DAILY, null, 3, 8, []);
    expect(Array.from(run.dicts[0].target as Float64Array)).toEqual([12, 13, 14, 15, 16, 17, 18, 19]);
    expect(run.cuts).toEqual([20]);
  });
});
