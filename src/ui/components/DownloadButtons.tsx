// The downloads of what is on screen, built locally: the forecast CSV (or, in a backtest, every window with the
// model's and the baselines' quantiles) and a JSON with the metrics, the detected facts and the settings. File
// names say what they hold (`airline-passengers-passengers-backtest-3x12.csv`).
import type { ReactElement } from 'react';
import { TIMESTAMP_FORMAT_LABELS } from '../../data/timestamps';
import { backtestCsv, downloadName, forecastCsv, reportJson, saveText, type NamedForecast, type RunReport } from '../../state/export';
import { allSeriesForecasts, backtestView, displayedSteps, selectDisplayedRun } from '../../state/selectors';
import { useAppStore } from '../../state/store';

function describeBackend(backend: { backend: string; threads: number; adapter?: string }): string {
  return backend.backend === 'webgpu' ? `webgpu (${backend.adapter ?? 'adapter'})` : `wasm (${backend.threads} threads)`;
}

/** CSV and JSON download buttons, disabled until a forecast (and, in a backtest, its baselines) is shown. */
export function DownloadButtons(): ReactElement {
  const run = useAppStore(selectDisplayedRun);
  const horizon = useAppStore((s) => s.horizon);
  const seriesSet = useAppStore((s) => s.seriesSet);
  const selection = useAppStore((s) => s.selection);
  const table = useAppStore((s) => s.table);
  const description = useAppStore((s) => s.description);
  const baselines = useAppStore((s) => s.baselines);
  const sourceName = useAppStore((s) => s.source?.name ?? 'data');
  const modelName = useAppStore((s) => s.model?.name ?? 'unknown');
  const multivariate = useAppStore((s) => s.multivariate);
  const crossLearning = useAppStore((s) => s.crossLearning);
  const targetOf = new Map(seriesSet?.series.map((s) => [s.id, s.targetColumn]) ?? []);
  const targetColumn = (name: string) => targetOf.get(name) ?? name;
  const view = run && seriesSet ? backtestView(run, baselines, targetColumn) : null;
  const isBacktest = run?.backtest != null;
  const targets = selection?.targetColumns ?? [];

  const forecasts = (): NamedForecast[] =>
    run ? allSeriesForecasts(run, displayedSteps(run, horizon)).map((f) => ({ ...f, targetColumn: targetColumn(f.series) })) : [];
  const report = (): RunReport => ({
    kind: isBacktest ? 'backtest' : 'forecast',
    model: modelName,
    backend: run ? describeBackend(run.result.backend) : '',
    data: {
      file: sourceName,
      facts: {
        rows: description?.rowCount,
        delimiter: description?.delimiterName,
        decimal: description?.decimal,
        encoding: description?.encoding,
        shape: selection?.idColumn ? 'long' : 'wide',
        frequency: seriesSet?.frequency.label,
        timestampColumn: selection?.timestampColumn,
        timestampFormat: seriesSet?.timeAxis.format ? TIMESTAMP_FORMAT_LABELS[seriesSet.timeAxis.format] : 'steps',
        start: selection?.start,
        idColumn: selection?.idColumn,
        targetColumns: targets,
        covariateColumns: selection?.covariateColumns,
        knownFutureCovariates: seriesSet?.futureCovariateNames,
        series: seriesSet?.series.length,
      },
      notes: [...(table?.warnings ?? []), ...(description?.warnings.filter((w) => !table?.warnings.includes(w)) ?? []), ...(seriesSet?.warnings ?? [])],
    },
    settings: {
      horizon: run ? displayedSteps(run, horizon) : horizon,
      multivariate,
      crossLearning,
      ...(run?.backtest ? { windows: run.backtest.spec.windows, step: run.backtest.spec.step, season: view?.season.season } : {}),
    },
  });
  const steps = run ? displayedSteps(run, horizon) : horizon;
  const backtestSpec = { h: run?.backtest?.spec.h ?? steps, windows: run?.backtest?.spec.windows ?? 1 };
  // The files are computed only on a click, and only when the button is enabled (their inputs exist).
  const ready = Boolean(run && seriesSet);
  const backtestReady = Boolean(view && seriesSet);
  return (
    <>
      <div className="btn-row" style={{ marginTop: 8 }}>
        <SaveButton
          label="Download forecast CSV"
          enabled={ready}
          file={() => [forecastCsv(forecasts(), seriesSet!.timeAxis), downloadName(sourceName, targets, 'forecast', { h: steps }, 'csv'), 'text/csv']}
        />
        <SaveButton
          label="Download forecast JSON"
          enabled={ready}
          file={() => [
            reportJson({ ...report(), kind: 'forecast' }, seriesSet!.timeAxis, forecasts()),
            downloadName(sourceName, targets, 'forecast', { h: steps }, 'json'),
            'application/json',
          ]}
        />
      </div>
      {isBacktest && (
        <div className="btn-row" style={{ marginTop: 8 }}>
          <SaveButton
            label="Download backtest CSV"
            enabled={backtestReady}
            file={() => [backtestCsv(view!.windows, seriesSet!.timeAxis), downloadName(sourceName, targets, 'backtest', backtestSpec, 'csv'), 'text/csv']}
          />
          <SaveButton
            label="Download backtest JSON"
            enabled={backtestReady}
            file={() => [
              reportJson(report(), seriesSet!.timeAxis, [], { windows: view!.windows, summary: view!.summary, season: view!.season.description }),
              downloadName(sourceName, targets, 'backtest', backtestSpec, 'json'),
              'application/json',
            ]}
          />
        </div>
      )}
    </>
  );
}

/** A download button: `file` gives the text, the file name and the MIME type, computed only when clicked. */
function SaveButton(props: { label: string; enabled: boolean; file: () => [text: string, name: string, mime: string] }): ReactElement {
  return (
    <button
      type="button"
      className="btn"
      disabled={!props.enabled}
      onClick={() => {
        if (!props.enabled) return;
        saveText(...props.file());
      }}
    >
      {props.label}
    </button>
  );
}
