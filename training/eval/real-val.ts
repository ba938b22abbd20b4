// `npm run eval` — the bundled model judged on real data it never saw, next to the baselines people trust.
// Why: a model that only beats seasonal naive on synthetic series is no demo; issue #14 asks for real-val
// (M3 monthly / quarterly / yearly, NN5 daily; official horizons), the airline 1960 check and the rolling airline
// windows, scored by the same library module the app and the CLI use (src/eval: backtests, seasonal naive,
// AutoETS from augurs, MASE, WQL, fev-bench skill scores). The model runs through the real converter +
// onnxruntime pipeline (src/forecast). One command reproduces the table of the model card, the README and
// docs/benchmarks.md:
//
//   npm run eval [-- --model DIR] [--card README.md] [--json OUT] [--docs docs/benchmarks.md] [--limit N]
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { predict } from '../../src/forecast';
import type { ModelRunner } from '../../src/forecast/model-runner';
import { runnerFromDir } from '../../src/node/model-files';
import { backtest, geometricMean, mape, mean, type ScoredWindow, type WindowRequest } from '../../src/eval';
import { initAugursNode } from '../../src/eval/augurs-node';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
/** The app's default model. */
export const DEFAULT_MODEL_DIR = path.join(repo, 'public/models/chronos2-mini');
/** The validation panel (never used for training). */
export const REAL_VAL_DIR = path.resolve(repo, '../shared/data/real-val');
/** Quantile levels of the WQL (GluonTS / fev convention). */
export const WQL_LEVELS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** One evaluation group: series with a history and an official test horizon. */
export interface Panel {
  name: string;
  frequency: string;
  season: number;
  h: number;
  series: { name: string; values: Float64Array }[];
}

const PANELS: { file: string; name: string; frequency: string; season: number }[] = [
  { file: 'm3_monthly.csv', name: 'M3 monthly', frequency: 'monthly', season: 12 },
  { file: 'm3_quarterly.csv', name: 'M3 quarterly', frequency: 'quarterly', season: 4 },
  { file: 'm3_yearly.csv', name: 'M3 yearly', frequency: 'yearly', season: 1 },
  { file: 'nn5_daily.csv', name: 'NN5 daily', frequency: 'daily', season: 7 },
];

/** Reads one real-val file (item_id,timestamp,target,split): history then the official test rows per series. */
export async function readPanel(file: string, meta: Omit<Panel, 'h' | 'series'>): Promise<Panel> {
  const text = await fs.readFile(file, 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0].split(',');
  const col = (n: string) => {
    const i = header.indexOf(n);
    if (i < 0) throw new Error(`${file}: no '${n}' column`);
    return i;
  };
  const [ci, ct, cs] = [col('item_id'), col('target'), col('split')];
  const byId = new Map<string, { train: number[]; test: number[] }>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    const s = byId.get(cells[ci]) ?? { train: [], test: [] };
    byId.set(cells[ci], s);
    const v = cells[ct] === '' ? NaN : Number(cells[ct]);
    (cells[cs] === 'test' ? s.test : s.train).push(v);
  }
  const hs = new Set([...byId.values()].map((s) => s.test.length));
  if (hs.size !== 1) throw new Error(`${file}: test horizons differ between series (${[...hs].join(', ')})`);
  const series = [...byId.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, s]) => ({ name, values: Float64Array.from([...s.train, ...s.test]) }));
  return { ...meta, h: [...hs][0], series };
}

/** The airline series as one panel of rolling windows: histories to Dec 1956…1959, h = 12 each. */
export async function airlinePanel(): Promise<{ values: Float64Array; panel: Panel }> {
  const text = await fs.readFile(path.join(repo, 'public/airline-passengers.csv'), 'utf8');
  const values = Float64Array.from(
    text
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',')[1])),
  );
  return { values, panel: { name: 'Airline (4 rolling years)', frequency: 'monthly', season: 12, h: 12, series: [{ name: 'airline', values }] } };
}

/** A backtest forecaster over the real pipeline: one predict() call for every window of one horizon. */
export function modelForecaster(runner: ModelRunner) {
  return async (requests: readonly WindowRequest[]) => {
    const levels = [...runner.info.quantiles];
    const keep = WQL_LEVELS.map((q) => levels.findIndex((l) => Math.abs(l - q) < 1e-9));
    if (keep.some((i) => i < 0)) throw new Error(`the model lacks a quantile level of ${WQL_LEVELS.join(', ')}`);
    const h = requests[0]?.h ?? 1;
    const preds = await predict(runner, requests.map((r) => r.train), { predictionLength: h, batchSize: 64 });
    return preds.map((p) => ({
      levels: [...WQL_LEVELS],
      quantiles: keep.map((i) => p.values.subarray(i * h, (i + 1) * h)),
    }));
  };
}

/** Scale-free results of one panel, per method. */
export interface PanelResult {
  panel: string;
  series: number;
  h: number;
  season: number;
  methods: {
    method: string;
    label: string;
    /** Geometric mean over series of MASE / MASE of seasonal naive. */
    gmRelMase: number;
    /** Geometric mean over series of WQL / WQL of seasonal naive. */
    gmRelWql: number;
    /** Mean MASE and mean WQL (each scale-free per series). */
    mase: number;
    wql: number;
    /** Series where this method's MASE is below seasonal naive's, percent. */
    winsVsNaive: number;
  }[];
}

/** Per-method geometric means of the errors relative to seasonal naive (windows with a zero naive error are skipped). */
export function panelResult(panel: Panel, windows: readonly ScoredWindow[]): PanelResult {
  const methods = windows[0].forecasts.map((f, i) => ({ method: f.method, label: f.label, i }));
  const naive = methods.findIndex((m) => m.method === 'seasonal-naive');
  return {
    panel: panel.name,
    series: panel.series.length,
    h: panel.h,
    season: panel.season,
    methods: methods.map(({ method, label, i }) => {
      const rel = (key: 'mase' | 'wql') =>
        windows.map((w) => w.scores[i][key] / w.scores[naive][key]).filter((v) => Number.isFinite(v) && v > 0);
      const wins = windows.filter((w) => w.scores[i].mase < w.scores[naive].mase).length;
      return {
        method,
        label: windows.find((w) => !w.forecasts[i].failure)?.forecasts[i].label ?? label,
        gmRelMase: geometricMean(rel('mase')),
        gmRelWql: geometricMean(rel('wql')),
        mase: mean(windows.map((w) => w.scores[i].mase)),
        wql: mean(windows.map((w) => w.scores[i].wql)),
        winsVsNaive: (100 * wins) / windows.length,
      };
    }),
  };
}

/** The Markdown table of every panel plus the overall geometric mean over the real-val groups. */
export function markdown(results: readonly PanelResult[], modelName: string): string {
  const fmt = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : '–');
  const lines = [
    '| Panel (series, h, m) | Method | MASE rel. to seasonal naive ↓ | WQL rel. to seasonal naive ↓ | mean MASE ↓ | mean WQL ↓ | series better than seasonal naive |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    for (const m of r.methods) {
      const name = m.method === 'model' ? `**${modelName}**` : m.label;
      lines.push(`| ${r.panel} (${r.series}, ${r.h}, ${r.season}) | ${name} | ${fmt(m.gmRelMase)} | ${fmt(m.gmRelWql)} | ${fmt(m.mase)} | ${fmt(m.wql)} | ${m.method === 'seasonal-naive' ? '–' : fmt(m.winsVsNaive, 0) + '%'} |`);
    }
  }
  const real = results.filter((r) => !r.panel.startsWith('Airline'));
  for (const method of real[0]?.methods.map((m) => m.method) ?? []) {
    const cells = real.map((r) => r.methods.find((m) => m.method === method)!);
    const name = method === 'model' ? `**${modelName}**` : method === 'seasonal-naive' ? 'Seasonal naive' : cells[0].label.replace(/, MSTL\+ETS, m = \d+/, '');
    lines.push(
      `| **real-val overall** (geometric mean of the ${real.length} groups) | ${name} | ${fmt(geometricMean(cells.map((c) => c.gmRelMase)))} | ${fmt(geometricMean(cells.map((c) => c.gmRelWql)))} | | | |`,
    );
  }
  return lines.join('\n');
}

/** Rewrites the text between `<!-- start -->` and `<!-- end -->` markers of a file. */
export async function replaceBetween(file: string, start: string, end: string, body: string): Promise<void> {
  const text = await fs.readFile(file, 'utf8');
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${file}: no ${start} … ${end} markers`);
  await fs.writeFile(file, text.slice(0, a) + `${start}\n${body}\n${end}` + text.slice(b + end.length));
}

async function main(args: string[]): Promise<number> {
  let modelDir = DEFAULT_MODEL_DIR;
  const outputs: { card?: string; json?: string; docs?: string; readme?: string } = {};
  let limit = Infinity;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--model') modelDir = path.resolve(value());
    else if (a === '--card') outputs.card = path.resolve(value());
    else if (a === '--json') outputs.json = path.resolve(value());
    else if (a === '--docs') outputs.docs = path.resolve(value());
    else if (a === '--readme') outputs.readme = path.resolve(value());
    else if (a === '--limit') limit = Number(value());
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run eval -- [--model DIR] [--card README.md] [--docs docs/benchmarks.md] [--readme README.md] [--json OUT] [--limit N series per group]');
      return 0;
    } else throw new Error(`unknown argument ${a} (see --help)`);
  }
  initAugursNode();
  const modelName = path.basename(modelDir);
  const runner = await runnerFromDir(modelDir);
  const forecast = modelForecaster(runner);
  const t0 = Date.now();
  const results: PanelResult[] = [];
  for (const p of PANELS) {
    const panel = await readPanel(path.join(REAL_VAL_DIR, p.file), p);
    if (Number.isFinite(limit)) panel.series = panel.series.slice(0, limit);
    const windows = await backtest(panel.series, { h: panel.h, windows: 1, step: panel.h }, { forecast, modelLabel: modelName, season: panel.season });
    results.push(panelResult(panel, windows));
    console.error(`${panel.name}: ${panel.series.length} series scored (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const air = await airlinePanel();
  const airWindows = await backtest(air.panel.series, { h: 12, windows: 4, step: 12 }, { forecast, modelLabel: modelName, season: 12 });
  results.push(panelResult(air.panel, airWindows));
  const last = airWindows[airWindows.length - 1];
  const airline1960 = Object.fromEntries(last.forecasts.map((f) => [f.label === modelName ? modelName : f.label, mape(last.actual, f.median)]));

  const table = markdown(results, modelName);
  const headline =
    'Airline, history 1949–1959, forecast 1960 (h = 12), MAPE of the median: ' +
    Object.entries(airline1960)
      .map(([k, v]) => `${k} ${v.toFixed(2)}%`)
      .join(', ') +
    '.';
  const body = `${table}\n\n${headline}`;
  console.log(body);
  console.log(`\n(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  if (outputs.json) await fs.writeFile(outputs.json, JSON.stringify({ model: modelName, airline1960Mape: airline1960, results }, null, 2) + '\n');
  for (const file of [outputs.card, outputs.docs, outputs.readme]) {
    if (file) {
      await replaceBetween(file, '<!-- eval:start -->', '<!-- eval:end -->', body);
      console.error(`updated ${file}`);
    }
  }
  return 0;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      console.error(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
      process.exitCode = 1;
    },
  );
}
