// The two downloads of the forecast on screen (all series, the steps shown): CSV and JSON, built locally.
import type { ReactElement } from 'react';
import { forecastCsv, forecastJson, saveText } from '../../state/export';
import { allSeriesForecasts, displayedSteps, selectDisplayedRun } from '../../state/selectors';
import { useAppStore } from '../../state/store';

function baseName(name: string | undefined): string {
  const stem = (name ?? 'data').replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '_');
  return `${stem || 'data'}-forecast`;
}

function describeBackend(backend: { backend: string; threads: number; adapter?: string }): string {
  return backend.backend === 'webgpu' ? `webgpu (${backend.adapter ?? 'adapter'})` : `wasm (${backend.threads} threads)`;
}

/** CSV and JSON download buttons, disabled until a forecast is shown. */
export function DownloadButtons(): ReactElement {
  const run = useAppStore(selectDisplayedRun);
  const horizon = useAppStore((s) => s.horizon);
  const frequency = useAppStore((s) => s.seriesSet?.frequency ?? null);
  const sourceName = useAppStore((s) => s.source?.name);
  const modelName = useAppStore((s) => s.model?.name ?? 'unknown');
  const disabled = !run || !frequency;

  const forecasts = () => (run ? allSeriesForecasts(run, displayedSteps(run, horizon)) : []);
  return (
    <div className="btn-row" style={{ marginTop: 8 }}>
      <button
        type="button"
        className="btn"
        disabled={disabled}
        onClick={() => {
          if (!run || !frequency) return;
          saveText(forecastCsv(forecasts(), frequency), `${baseName(sourceName)}.csv`, 'text/csv');
        }}
      >
        Download forecast CSV
      </button>
      <button
        type="button"
        className="btn"
        disabled={disabled}
        onClick={() => {
          if (!run || !frequency) return;
          const json = forecastJson(forecasts(), {
            model: modelName,
            backend: describeBackend(run.result.backend),
            frequency,
            backtest: run.holdout !== null,
          });
          saveText(json, `${baseName(sourceName)}.json`, 'application/json');
        }}
      >
        Download forecast JSON
      </button>
    </div>
  );
}
