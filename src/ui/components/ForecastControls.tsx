// Forecast settings: the horizon slider (inside one patch bucket it only re-slices the cached run), backtest,
// multivariate and cross-learning toggles, and the downloads.
import { useId, type ReactElement } from 'react';
import { canBeMultivariate } from '../../state/dataset';
import {
  MAX_BACKTEST_WINDOWS,
  setBacktest,
  setBacktestStep,
  setBacktestWindows,
  setCrossLearning,
  setHorizon,
  setMultivariate,
  setSeasonOverride,
} from '../../state/actions';
import { horizonLimit } from '../../state/horizon-note';
import { useAppStore } from '../../state/store';
import { DownloadButtons } from './DownloadButtons';
import { Toggle } from './Toggle';

/** The forecast card of the side panel. */
export function ForecastControls(): ReactElement {
  const sliderId = useId();
  const horizon = useAppStore((s) => s.horizon);
  const backtest = useAppStore((s) => s.backtest);
  const multivariate = useAppStore((s) => s.multivariate);
  const crossLearning = useAppStore((s) => s.crossLearning);
  const model = useAppStore((s) => s.model);
  const tasks = useAppStore((s) => s.tasks);
  const seriesSet = useAppStore((s) => s.seriesSet);
  const windows = useAppStore((s) => s.backtestWindows);
  const step = useAppStore((s) => s.backtestStep);
  const season = useAppStore((s) => s.seasonOverride);
  const limit = horizonLimit({ model, backtest, tasks });
  const max = limit.max;
  const multivariateAvailable = seriesSet !== null && canBeMultivariate(seriesSet);
  return (
    <section className="card" aria-labelledby="forecast-heading">
      <h2 id="forecast-heading">Forecast settings</h2>
      <div className="field">
        <label htmlFor={sliderId}>Horizon</label>
        <div className="horizon-row">
          <input
            id={sliderId}
            type="range"
            aria-label="Horizon"
            aria-describedby={`${sliderId}-hint`}
            min={1}
            max={max}
            step={1}
            value={Math.min(horizon, max)}
            onChange={(e) => setHorizon(Number(e.target.value))}
          />
          <output htmlFor={sliderId} aria-live="polite">
            {horizon} {horizon === 1 ? 'step' : 'steps'}
          </output>
        </div>
        <span className="field__hint" id={`${sliderId}-hint`}>
          {backtest ? `Holds out and forecasts the last ${horizon} points. ` : ''}
          <span data-testid="horizon-limit">{limit.text}</span>
        </span>
      </div>
      <Toggle
        label="Backtest"
        description={`Hide the last ${horizon} points, forecast them and score the forecast.`}
        checked={backtest}
        onChange={setBacktest}
      />
      {backtest && (
        <div role="group" aria-label="Backtest windows" style={{ display: 'grid', gridTemplateColumns: 'repeat(3, minmax(0, 1fr))', gap: 8 }}>
          <div className="field">
            <label htmlFor={`${sliderId}-windows`}>Windows</label>
            <input
              id={`${sliderId}-windows`}
              type="number"
              min={1}
              max={MAX_BACKTEST_WINDOWS}
              style={{ width: '100%' }}
              value={windows}
              onChange={(e) => setBacktestWindows(Number(e.target.value))}
            />
          </div>
          <div className="field">
            <label htmlFor={`${sliderId}-step`}>Step</label>
            <input
              id={`${sliderId}-step`}
              type="number"
              min={1}
              placeholder={String(horizon)}
              style={{ width: '100%' }}
              value={step ?? ''}
              onChange={(e) => setBacktestStep(e.target.value === '' ? null : Number(e.target.value))}
            />
          </div>
          <div className="field">
            <label htmlFor={`${sliderId}-season`}>Season</label>
            <input
              id={`${sliderId}-season`}
              type="number"
              min={1}
              placeholder="auto"
              style={{ width: '100%' }}
              value={season ?? ''}
              onChange={(e) => setSeasonOverride(e.target.value === '' ? null : Number(e.target.value))}
            />
          </div>
          <span className="field__hint" style={{ gridColumn: '1 / -1' }}>
            Rolling origin: {windows} window{windows === 1 ? '' : 's'} of {horizon} steps, cutoffs {step ?? horizon} steps
            apart, the last ending with the data. Season: of the baselines and MASE (auto: from the frequency).
          </span>
        </div>
      )}
      <Toggle
        label="Multivariate"
        description="Forecast the targets of a series jointly, as one task."
        checked={multivariate}
        disabled={!multivariateAvailable}
        onChange={setMultivariate}
      />
      <Toggle
        label="Cross-learning"
        description="Let the series of a batch inform each other's forecasts."
        checked={crossLearning}
        disabled={tasks.length < 2}
        onChange={setCrossLearning}
      />
      <DownloadButtons />
    </section>
  );
}
