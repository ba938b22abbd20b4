// `npm run forecast -- <csv> [options]`: batch forecasting and rolling-origin backtests from the command line,
// with the app's CSV parsing, column roles, time axes, tasks, baselines and output columns. Prints the notes the
// app shows (shape, frequency, gaps, ignored columns, dropped values, which columns are forecast) on stderr and
// writes the forecast (or backtest) as CSV or JSON. Runs on onnxruntime-node when installed, else on
// onnxruntime-web (WASM in Node). Imports library modules only (never src/state or src/ui).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as ortWeb from 'onnxruntime-web';
import { parseCsv, type ParsedTable } from '../data/csv';
import { FREQUENCY_HELP, parseFrequency } from '../data/frequency-names';
import { buildSeries, describeTable, detectSchema, type SeriesSelection, type SeriesSet } from '../data/table';
import { buildTasks, prepareBacktest, prepareRun, seriesRefs } from '../data/tasks';
import { formatOnAxis } from '../data/time-axis';
import { TIMESTAMP_FORMAT_LABELS } from '../data/timestamps';
import { initAugursNode } from '../eval/augurs-node';
import { summarize, type MethodSummary } from '../eval/aggregate';
import { backtestCutoffs, MIN_BACKTEST_HISTORY, type BacktestSpec } from '../eval/backtest';
import { baselineForecasts } from '../eval/baselines';
import { backtestItems, modelWindowForecast, scoreItems, type ExportWindow } from '../eval/run';
import { chooseSeason } from '../eval/season';
import { backtestCsv, forecastCsv, reportJson, type NamedForecast, type RunReport } from '../export/downloads';
import { bucketLength, levelRow, sliceVariate, type SeriesForecast } from '../export/forecast-view';
import { predict } from '../forecast';
import type { QuantileForecast } from '../forecast/pipeline';
import { runnerFromDir } from '../node/model-files';
import { defaultModelDir } from '../node/model-registry';
import type { OrtModule } from '../runtime/ort-runner';
import { runCli } from './run-cli';

const USAGE = `usage: npm run forecast -- <csv> [options]

  --horizon N             steps to forecast (default: 12, or the backtest's horizon)
  --out FILE.csv|.json    write the forecast (or backtest) here; default: CSV on stdout
  --target COL[,COL]      columns to forecast (default: a column named target/y/value, else every numeric one)
  --id COL|none           column naming the series of a long table (default: detected)
  --timestamp COL|none    time column (default: detected; none: rows are steps)
  --covariates COL,..|none  covariate columns (default: detected; rows with an empty target give known future values)
  --frequency F           override the frequency, or give it for a file without dates (with --start):
                          ${FREQUENCY_HELP}
  --start T               time of the first row of a file without dates (1949-01, 1956-Q1, 2020-01-06, 1949)
  --date-order dmy|mdy    how to read NN/NN/YYYY dates when no day is above 12
  --season M              season of the baselines and the MASE (default: from the frequency, else estimated)
  --backtest H            rolling-origin backtest of H steps instead of a forecast
  --windows N             backtest windows (default 1); --step S: steps between cutoffs (default H)
  --quantiles 0.1,0.5,0.9 quantile levels to write (default: the model's)
  --model DIR             checkpoint or converted model (default: the app's default model)
  --multivariate          forecast the targets of a series id jointly
  --cross-learning        let the series of a batch inform each other (backtest windows still run apart)
  --runtime node|web      onnxruntime-node (when installed) or onnxruntime-web
  --help                  this text`;

/** Parsed command line. */
interface ForecastArgs {
  csv: string;
  horizon?: number;
  out?: string;
  model?: string;
  multivariate: boolean;
  crossLearning: boolean;
  runtime?: 'node' | 'web';
  targets?: string[];
  id?: string | null;
  timestamp?: string | null;
  covariates?: string[];
  frequency?: string;
  start?: string;
  dateOrder?: 'dmy' | 'mdy';
  season?: number;
  backtest?: number;
  windows?: number;
  step?: number;
  quantiles?: number[];
  help: boolean;
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function positiveInteger(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number ≥ 1, got '${text}'`);
  return n;
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function parseArgs(args: string[]): ForecastArgs {
  const positional: string[] = [];
  const parsed: ForecastArgs = { csv: '', multivariate: false, crossLearning: false, help: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string => {
      const v = args[++i];
      if (v === undefined || (v.startsWith('--') && v.length > 2)) throw new UsageError(`${a} needs a value\n${USAGE}`);
      return v;
    };
    switch (a) {
      case '--help':
      case '-?':
        parsed.help = true;
        break;
      case '--horizon':
      case '-h': {
        const v = value();
        const n = Number(v);
        if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--horizon must be a whole number ≥ 1, got '${v}'`);
        parsed.horizon = n;
        break;
      }
      case '--out':
      case '-o':
        parsed.out = value();
        break;
      case '--model':
        parsed.model = value();
        break;
      case '--multivariate':
        parsed.multivariate = true;
        break;
      case '--cross-learning':
        parsed.crossLearning = true;
        break;
      case '--runtime': {
        const r = value();
        if (r !== 'node' && r !== 'web') throw new UsageError(`--runtime must be node or web, got ${r}`);
        parsed.runtime = r;
        break;
      }
      case '--target':
        parsed.targets = list(value());
        break;
      case '--id': {
        const v = value();
        parsed.id = v === 'none' ? null : v;
        break;
      }
      case '--timestamp': {
        const v = value();
        parsed.timestamp = v === 'none' ? null : v;
        break;
      }
      case '--covariates': {
        const v = value();
        parsed.covariates = v === 'none' ? [] : list(v);
        break;
      }
      case '--frequency':
        parsed.frequency = value();
        break;
      case '--start':
        parsed.start = value();
        break;
      case '--date-order': {
        const v = value();
        if (v !== 'dmy' && v !== 'mdy') throw new UsageError(`--date-order must be dmy or mdy, got ${v}`);
        parsed.dateOrder = v;
        break;
      }
      case '--season':
        parsed.season = positiveInteger(a, value());
        break;
      case '--backtest':
        parsed.backtest = positiveInteger(a, value());
        break;
      case '--windows':
        parsed.windows = positiveInteger(a, value());
        break;
      case '--step':
        parsed.step = positiveInteger(a, value());
        break;
      case '--quantiles': {
        const v = value();
        const levels = list(v).map(Number);
        if (levels.length === 0 || levels.some((q) => !(q > 0 && q < 1))) {
          throw new UsageError(`--quantiles must be levels between 0 and 1, like 0.1,0.5,0.9; got '${v}'`);
        }
        parsed.quantiles = [...new Set(levels)].sort((x, y) => x - y);
        break;
      }
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}\n${USAGE}`);
        positional.push(a);
    }
  }
  if (parsed.help) return parsed;
  if (positional.length !== 1) throw new UsageError(USAGE);
  if ((parsed.windows !== undefined || parsed.step !== undefined) && parsed.backtest === undefined) {
    throw new UsageError('--windows and --step belong to a backtest: add --backtest H');
  }
  return { ...parsed, csv: positional[0] };
}

async function loadOrt(preference: 'node' | 'web' | undefined): Promise<{ ort: OrtModule; label: string }> {
  if (preference !== 'web') {
    try {
      const native = (await import('onnxruntime-node')) as unknown as OrtModule;
      return { ort: native, label: 'onnxruntime-node (CPU)' };
    } catch (e) {
      if (preference === 'node') throw new Error(`onnxruntime-node is not installed or failed to load: ${(e as Error).message}`);
    }
  }
  return { ort: ortWeb, label: 'onnxruntime-web (WASM in Node)' };
}

function progressBar(done: number, total: number): string {
  const width = 30;
  const filled = Math.round((done / Math.max(1, total)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} tasks`;
}

/** Refuses to write the output over the input (same path, or the same file through a link). */
async function refuseOverwrite(input: string, out: string): Promise<void> {
  const a = path.resolve(input);
  const b = path.resolve(out);
  let same = a === b;
  if (!same) {
    const [sa, sb] = await Promise.all([fs.stat(a).catch(() => null), fs.stat(b).catch(() => null)]);
    same = sa !== null && sb !== null && sa.dev === sb.dev && sa.ino === sb.ino;
  }
  if (same) throw new UsageError(`--out ${out} is the input file; refusing to overwrite it. Choose another output file.`);
}

/** The column roles: the detected defaults with the command line's overrides. */
function selectionFor(table: ParsedTable, args: ForecastArgs, notes: string[]): SeriesSelection {
  const schema = detectSchema(table);
  notes.push(...schema.notes);
  const selection: SeriesSelection = {
    targetColumns: args.targets ?? [...schema.targetColumns],
    covariateColumns: args.covariates ?? schema.covariateColumns.filter((c) => !(args.targets ?? []).includes(c)),
  };
  const ts = args.timestamp === undefined ? schema.timestampColumn : (args.timestamp ?? undefined);
  if (ts !== undefined) selection.timestampColumn = ts;
  const id = args.id === undefined ? schema.idColumn : (args.id ?? undefined);
  if (id !== undefined) selection.idColumn = id;
  if (args.targets) {
    // Targets the user named are not covariates, and the other numeric defaults stay covariates only if named.
    selection.covariateColumns = selection.covariateColumns.filter((c) => !args.targets?.includes(c) && c !== id && c !== ts);
  }
  if (args.frequency !== undefined) {
    const frequency = parseFrequency(args.frequency);
    if (!frequency) throw new UsageError(`--frequency '${args.frequency}' is not a frequency; use ${FREQUENCY_HELP}`);
    selection.frequency = frequency;
  }
  if (args.start !== undefined) {
    if (selection.timestampColumn !== undefined) {
      throw new UsageError(
        `--start is for files without a time column, but '${selection.timestampColumn}' is one; add --timestamp none to ignore it`,
      );
    }
    selection.start = args.start;
  }
  if (selection.timestampColumn === undefined && selection.start === undefined && args.timestamp !== null) {
    const unreadable = table.unreadableDateColumns?.[0];
    if (unreadable) {
      throw new UsageError(
        `${unreadable.message} Fix the dates, or pass --frequency F --start T (or --timestamp none to forecast steps).`,
      );
    }
  }
  return selection;
}

/** One line per fact, as the app's "Detected" table shows them. */
function describeRun(table: ParsedTable, selection: SeriesSelection, set: SeriesSet, fileName: string): string[] {
  const d = describeTable(table, { ...detectSchema(table), ...selection });
  const ts = selection.timestampColumn;
  const tsColumn = table.columns.find((c) => c.name === ts);
  const format = tsColumn?.kind === 'timestamp' ? TIMESTAMP_FORMAT_LABELS[tsColumn.format] : undefined;
  const first = set.series[0];
  const span = first ? `${formatOnAxis(first.timestamps[0], set.timeAxis)} → ${formatOnAxis(first.timestamps[first.timestamps.length - 1], set.timeAxis)}` : '';
  const time = ts
    ? `time column '${ts}' (${format}${set.timeAxis.offsets.length > 0 ? ', UTC offsets kept' : ''})`
    : set.timeAxis.start !== undefined
      ? `no time column; rows start at ${selection.start}`
      : 'no time column; rows are steps';
  return [
    `${fileName}: ${d.rowCount} rows, ${d.delimiterName}-separated, decimal '${d.decimal}', ${d.encoding}, ` +
      `${selection.idColumn ? `long (series id '${selection.idColumn}')` : 'wide'}`,
    `${time}, ${set.frequency.label}${span ? `, ${span}` : ''}`,
    `forecasting ${selection.targetColumns.map((c) => `'${c}'`).join(', ')} → ${set.series.length} series` +
      `${selection.covariateColumns.length ? `; covariates ${selection.covariateColumns.map((c) => `'${c}'`).join(', ')}` : ''}` +
      `${set.futureCovariateNames.length ? ` (known future: ${set.futureCovariateNames.map((c) => `'${c}'`).join(', ')})` : ''}`,
  ];
}

function fmt(v: number, digits = 3): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '–';
}

/** The backtest summary as a plain-text table (scale-free aggregates only). */
function summaryTable(summary: readonly MethodSummary[]): string {
  const rows = [['method', 'MASE', 'WQL', 'cover80%', 'rel.MAE', 'skill(MASE)', 'skill(WQL)']];
  for (const s of summary) {
    rows.push([s.label, fmt(s.mase), fmt(s.wql), fmt(s.coverage80, 1), fmt(s.relativeMae), fmt(s.skillMase), fmt(s.skillWql)]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

/** Per window and series: the model's and each baseline's MASE and WQL, and the MAE the window scored. */
function windowTable(windows: readonly ExportWindow[], axis: SeriesSet['timeAxis']): string {
  const methods = windows[0]?.forecasts.map((f) => f.label) ?? [];
  const lines = [`window  cutoff  series  ${methods.map((m) => `${m}: MAE / MASE / WQL`).join('  |  ')}`];
  for (const w of windows) {
    const cells = w.scores.map((s) => `${fmt(s.mae)} / ${fmt(s.mase)} / ${fmt(s.wql)}`);
    lines.push(`${w.window + 1}  ${formatOnAxis(w.cutoffTimestamp, axis)}  ${w.series}  ${cells.join('  |  ')}`);
  }
  return lines.join('\n');
}

/** A forecast resampled to the levels asked for (model levels by default). */
function atLevels(f: SeriesForecast, levels: readonly number[] | undefined): SeriesForecast {
  if (!levels) return f;
  return { ...f, levels: [...levels], quantiles: levels.map((l) => levelRow(f, l)) };
}

runCli(async (argv) => {
  const args = parseArgs(argv);
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.out) await refuseOverwrite(args.csv, args.out);
  const bytes = await fs.readFile(args.csv).catch(() => {
    throw new Error(`${args.csv}: cannot read the file`);
  });
  // A Blob, as the app reads files: the encoding (UTF-8, UTF-16 with or without BOM, Windows-1252) is sniffed.
  const table = await parseCsv(new Blob([bytes]), args.dateOrder ? { dateOrder: args.dateOrder } : {});
  const notes: string[] = [...table.warnings];
  const selection = selectionFor(table, args, notes);
  const set = buildSeries(table, selection);
  notes.push(...set.warnings);
  for (const line of describeRun(table, selection, set, path.basename(args.csv))) console.error(line);
  for (const n of notes) console.error(`note: ${n}`);

  const modelDir = args.model ?? (await defaultModelDir());
  const modelName = path.basename(path.resolve(modelDir));
  const { ort, label } = await loadOrt(args.runtime);
  const runner = await runnerFromDir(modelDir, { ort, sessionOptions: { graphOptimizationLevel: 'all' } });
  const info = runner.info;
  const tasks = buildTasks(set, args.multivariate);
  const targetOf = new Map(set.series.map((s) => [s.id, s.targetColumn]));
  const targetColumn = (name: string) => targetOf.get(name) ?? name;
  const report: RunReport = {
    kind: args.backtest === undefined ? 'forecast' : 'backtest',
    model: modelName,
    backend: label,
    data: {
      file: path.basename(args.csv),
      facts: {
        rows: table.rowCount,
        delimiter: table.delimiter,
        decimal: table.decimal,
        encoding: table.encoding,
        shape: selection.idColumn ? 'long' : 'wide',
        frequency: set.frequency.label,
        timestampColumn: selection.timestampColumn,
        timestampFormat: set.timeAxis.format ? TIMESTAMP_FORMAT_LABELS[set.timeAxis.format] : 'steps',
        start: selection.start,
        idColumn: selection.idColumn,
        targetColumns: selection.targetColumns,
        covariateColumns: selection.covariateColumns,
        knownFutureCovariates: set.futureCovariateNames,
        series: set.series.length,
      },
      notes,
    },
    settings: {
      multivariate: args.multivariate,
      crossLearning: args.crossLearning,
      quantiles: args.quantiles ?? info.quantiles,
    },
  };

  try {
    if (args.backtest === undefined) {
      const horizon = args.horizon ?? 12;
      report.settings.horizon = horizon;
      const predictionLength = bucketLength(horizon, info.patchSize);
      const run = prepareRun(tasks, set.frequency, null, predictionLength, info.contextLength, set.futureCovariateNames);
      console.error(`${tasks.length} task(s), horizon ${horizon}, model ${modelName} on ${label}`);
      const t0 = performance.now();
      const forecasts = await predict(runner, run.dicts, {
        predictionLength,
        crossLearning: args.crossLearning,
        afterBatch: (p) => {
          if (process.stderr.isTTY) process.stderr.write(`\r${progressBar(p.tasksDone, p.taskCount)}`);
        },
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      const seconds = (performance.now() - t0) / 1000;
      const series: NamedForecast[] = seriesRefs(tasks).map((ref) => ({
        ...atLevels(sliceVariate(forecasts[ref.task], ref.variate, horizon, ref.name, run.forecastTimestamps[ref.task]), args.quantiles),
        targetColumn: targetColumn(ref.name),
      }));
      const output = args.out?.toLowerCase().endsWith('.json') ? reportJson(report, set.timeAxis, series) : forecastCsv(series, set.timeAxis);
      if (args.out) {
        await fs.writeFile(args.out, output);
        console.error(`wrote ${series.length} series × ${horizon} steps to ${args.out} in ${seconds.toFixed(2)} s`);
      } else {
        process.stdout.write(output);
      }
      return 0;
    }

    const spec: BacktestSpec = { h: args.backtest, windows: args.windows ?? 1, step: args.step ?? args.backtest };
    report.settings.backtestHorizon = spec.h;
    report.settings.windows = spec.windows;
    report.settings.step = spec.step;
    const prepared = prepareBacktest(
      tasks,
      set.frequency,
      spec.h,
      (length, task) => backtestCutoffs(length, spec, MIN_BACKTEST_HISTORY, task.names.join(', ')),
      info.contextLength,
      set.futureCovariateNames,
    );
    const season = chooseSeason(set.frequency, args.season, tasks.flatMap((t) => t.targets));
    report.settings.season = season.season;
    console.error(
      `backtest: ${spec.windows} window(s) of ${spec.h} steps, ${spec.step} apart; baselines with season ${season.description}; ` +
        `model ${modelName} on ${label}`,
    );
    // Windows of one series must not see each other: with cross-learning, each window is its own call.
    const byWindow = args.crossLearning
      ? [...new Set(prepared.entries.map((e) => e.window))].map((w) => prepared.entries.flatMap((e, i) => (e.window === w ? [i] : [])))
      : [prepared.entries.map((_, i) => i)];
    const forecasts: QuantileForecast[] = new Array(prepared.entries.length);
    for (const indices of byWindow) {
      const out = await predict(runner, indices.map((i) => prepared.dicts[i]), { predictionLength: spec.h, crossLearning: args.crossLearning });
      out.forEach((f, k) => (forecasts[indices[k]] = f));
    }
    initAugursNode();
    const levels = args.quantiles ?? [...info.quantiles].sort((a, b) => a - b);
    const items = backtestItems(tasks, prepared, targetColumn);
    const modelLabel = `Chronos-2 (${modelName})`;
    const model = items.map((item) => modelWindowForecast(forecasts[item.entry], item, spec.h, levels, modelLabel));
    const baselines = items.map((item) => baselineForecasts(item.train, season.season, spec.h, levels));
    const windows = scoreItems(items, model, baselines, season.season);
    const summary = summarize(windows);
    for (const f of baselines.flat()) if (f.failure) console.error(`note: ${f.label} failed on a window: ${f.failure}`);
    console.error(windowTable(windows, set.timeAxis));
    console.error(`\nover ${windows.length} window(s) × series, relative to ${summary.find((s) => s.method === 'seasonal-naive')?.label ?? 'seasonal naive'}:`);
    console.error(summaryTable(summary));
    const output = args.out?.toLowerCase().endsWith('.json')
      ? reportJson(report, set.timeAxis, [], { windows, summary, season: season.description })
      : backtestCsv(windows, set.timeAxis);
    if (args.out) {
      await fs.writeFile(args.out, output);
      console.error(`wrote the backtest of ${set.series.length} series to ${args.out}`);
    } else {
      process.stdout.write(output);
    }
    return 0;
  } finally {
    await runner.dispose();
  }
});
