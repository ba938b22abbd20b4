// The horizon/patch-bucket contract of the chart, against a fake engine: inside the cached run's bucket a
// horizon change only re-slices (no model call); crossing a bucket re-runs after the debounce with the old
// forecast kept on screen; a run that is no longer wanted is never painted; backtests request exactly h.
import { stepAxis } from '../../src/data/time-axis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ForecastRequest, ForecastResult, CallOptions, ModelStatus } from '../../src/worker/engine-api';

interface Call {
  request: ForecastRequest;
  options: CallOptions | undefined;
  resolve: (result: ForecastResult) => void;
  reject: (error: Error) => void;
}
const calls: Call[] = [];

vi.mock('../../src/state/engine', () => ({
  getEngine: () => ({
    forecast: (request: ForecastRequest, options?: CallOptions) =>
      new Promise<ForecastResult>((resolve, reject) => calls.push({ request, options, resolve, reject })),
  }),
  onEngineEvent: () => undefined,
}));

const { useAppStore } = await import('../../src/state/store');
const { setBacktest, setHorizon } = await import('../../src/state/actions');
const { requestForecast, resetForecasts, DEBOUNCE_MS } = await import('../../src/state/forecast-runner');
const { displayedSteps, selectDisplayedRun, allSeriesForecasts } = await import('../../src/state/selectors');
const { makeFrequency } = await import('../../src/data/timestamps');

const LEVELS = [0.1, 0.5, 0.9];
const MODEL: ModelStatus = {
  name: 'fake',
  parameterCount: 1,
  onnxBytes: 1,
  contextLength: 512,
  patchSize: 16,
  maxOutputPatches: 8,
  quantiles: LEVELS,
  backend: { backend: 'wasm', reason: 'test', threads: 1 },
};
const MONTHLY = makeFrequency('month');

/** A result whose value at (q, t) is 1000·q + t + offset, so slices are recognisable. */
function fakeResult(request: ForecastRequest, offset = 0): ForecastResult {
  const H = request.predictionLength;
  return {
    forecasts: request.tasks.map(() => {
      const values = new Float32Array(LEVELS.length * H);
      LEVELS.forEach((q, k) => {
        for (let t = 0; t < H; t++) values[k * H + t] = 1000 * q + t + offset;
      });
      return { quantileLevels: LEVELS, numVariates: 1, horizon: H, values };
    }),
    inferenceMs: 1,
    modelCalls: 1,
    backend: MODEL.backend,
  };
}

function loadState(): void {
  const T = 48;
  const timestamps = Array.from({ length: T }, (_, i) => Date.UTC(2000, i, 1));
  const target = Float64Array.from({ length: T }, (_, i) => 100 + i);
  useAppStore.setState({
    model: MODEL,
    modelVersion: 1,
    dataVersion: 1,
    horizon: 12,
    backtest: false,
    run: null,
    seriesSet: {
      series: [],
      frequency: MONTHLY,
      timeAxis: stepAxis(MONTHLY),
      pastCovariateNames: [],
      futureCovariateNames: [],
      knownFutureLength: 0,
      warnings: [],
    },
    tasks: [{ names: ['y'], timestamps, targets: [target], past: {}, knownFutureTimestamps: [], future: {} }],
  });
}

async function flush(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

function shown(): { steps: number; first: string; median: number[] } | null {
  const s = useAppStore.getState();
  const run = selectDisplayedRun(s);
  if (!run) return null;
  const steps = displayedSteps(run, s.horizon);
  const [f] = allSeriesForecasts(run, steps);
  return { steps, first: new Date(f.timestamps[0]).toISOString().slice(0, 7), median: Array.from(f.mean) };
}

beforeEach(() => {
  vi.useFakeTimers();
  calls.length = 0;
  resetForecasts();
  loadState();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('forecast runner', () => {
  it('requests the end of the patch bucket and shows the first h steps', async () => {
    requestForecast({ immediate: true });
    await flush();
    expect(calls).toHaveLength(1);
    expect(calls[0].request.predictionLength).toBe(16);
    expect(calls[0].request.supersedeKey).toBe('chart');
    calls[0].resolve(fakeResult(calls[0].request));
    await flush();
    const view = shown();
    expect(view?.steps).toBe(12);
    expect(view?.first).toBe('2004-01');
    expect(view?.median).toEqual(Array.from({ length: 12 }, (_, t) => 500 + t));
    expect(useAppStore.getState().forecasting).toBe(false);
  });

  it('slices inside the bucket without a model call', async () => {
    requestForecast({ immediate: true });
    await flush();
    calls[0].resolve(fakeResult(calls[0].request));
    await flush();
    for (const h of [1, 5, 16, 9]) {
      setHorizon(h);
      await vi.advanceTimersByTimeAsync(DEBOUNCE_MS * 2);
      expect(shown()?.steps).toBe(h);
      expect(shown()?.median).toEqual(Array.from({ length: h }, (_, t) => 500 + t));
    }
    expect(calls).toHaveLength(1);
  });

  it('re-runs across a bucket boundary after the debounce, keeping the old forecast meanwhile', async () => {
    requestForecast({ immediate: true });
    await flush();
    calls[0].resolve(fakeResult(calls[0].request));
    await flush();

    setHorizon(17);
    setHorizon(20);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS - 10);
    expect(calls).toHaveLength(1); // still debouncing
    expect(shown()?.steps).toBe(16); // the old run, as far as it reaches
    expect(useAppStore.getState().forecasting).toBe(true);
    await vi.advanceTimersByTimeAsync(20);
    expect(calls).toHaveLength(2);
    expect(calls[1].request.predictionLength).toBe(32);
    calls[1].resolve(fakeResult(calls[1].request, 0.5));
    await flush();
    expect(shown()?.steps).toBe(20);
    expect(shown()?.median[19]).toBe(519.5);
  });

  it('never paints a run that was superseded', async () => {
    setHorizon(40); // bucket 48
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    setHorizon(100); // bucket 112
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    expect(calls.map((c) => c.request.predictionLength)).toEqual([48, 112]);
    calls[0].resolve(fakeResult(calls[0].request, 0.25)); // late answer for the old horizon
    await flush();
    expect(useAppStore.getState().run).toBeNull();
    calls[1].resolve(fakeResult(calls[1].request));
    await flush();
    expect(shown()?.steps).toBe(100);
  });

  it('cancels a run in flight when the slider returns to the cached bucket', async () => {
    requestForecast({ immediate: true });
    await flush();
    calls[0].resolve(fakeResult(calls[0].request));
    await flush();
    setHorizon(30);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    expect(calls).toHaveLength(2);
    setHorizon(10);
    expect(calls[1].options?.signal?.aborted).toBe(true);
    expect(useAppStore.getState().forecasting).toBe(false);
    expect(shown()?.steps).toBe(10);
  });

  it('backtests hold out exactly h points and re-run for every h', async () => {
    setBacktest(true);
    await flush();
    expect(calls).toHaveLength(1);
    expect(calls[0].request.predictionLength).toBe(12);
    const target = calls[0].request.tasks[0].target as Float64Array;
    expect(target.length).toBe(36);
    expect(target[35]).toBe(135);
    calls[0].resolve(fakeResult(calls[0].request));
    await flush();
    const run = useAppStore.getState().run;
    expect(run?.holdout).toBe(12);
    expect(Array.from(run?.actuals?.[0][0] ?? [])).toEqual(Array.from({ length: 12 }, (_, i) => 136 + i));
    expect(shown()?.first).toBe('2003-01');

    setHorizon(13);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    expect(calls).toHaveLength(2);
    expect(calls[1].request.predictionLength).toBe(13);
    expect(shown()?.steps).toBe(12); // the previous backtest stays until the new one arrives
  });
});
