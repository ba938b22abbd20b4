// `npx tsx training/eval/evaluate.ts [--model DIR] [--card README.md] [--json OUT]`: rolling-origin evaluation
// of a Chronos-2 model folder through the real converter + onnxruntime-web pipeline, against seasonal naive and
// AutoETS (augurs, via src/eval), on the bundled airline series and the held-out synthetic set. Prints a Markdown table and,
// with --card, rewrites the table between the eval markers of a model card.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { replaceBetween } from './real-val';
import { predict } from '../../src/forecast';
import { runnerFromDir } from '../../src/node/model-files';
import type { ModelRunner } from '../../src/forecast/model-runner';
import { WQL_LEVELS, autoEts, effectivePeriod, mape, mase, maseScale, seasonalNaive, wqlParts, type Forecast } from './baselines';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
export const DEFAULT_MODEL_DIR = path.join(repo, 'public/models/chronos2-mini');

/** One forecasting problem: a history, the values that followed, and the seasonal period. */
export interface EvalWindow {
  dataset: string;
  id: string;
  history: number[];
  actual: number[];
  period: number;
}

export type Method = 'model' | 'seasonal naive' | 'AutoETS (augurs)';
export const METHODS: readonly Method[] = ['model', 'seasonal naive', 'AutoETS (augurs)'];

/** Scores of one method on one dataset. */
export interface Score {
  dataset: string;
  method: Method;
  windows: number;
  /** Mean over windows of the MASE of the median. */
  mase: number;
  /** Mean over windows of the weighted quantile loss (levels 0.1…0.9, each window normalised by its Σ|actual|). */
  wql: number;
  /** Mean absolute percentage error of the median (airline only: synthetic series cross zero). */
  mape: number;
  /** Geometric mean over windows of MASE relative to seasonal naive. */
  relMase: number;
  /** Geometric mean over windows of WQL relative to seasonal naive. */
  relWql: number;
}

export async function airlineWindows(): Promise<EvalWindow[]> {
  const text = await fs.readFile(path.join(repo, 'public/airline-passengers.csv'), 'utf8');
  const values = text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => Number(line.split(',')[1]));
  // origins at the end of 1956, 1957, 1958 and 1959: forecast each following year (h = 12)
  return [96, 108, 120, 132].map((cut) => ({
    dataset: 'airline',
    id: `airline-${1949 + cut / 12}`,
    history: values.slice(0, cut),
    actual: values.slice(cut, cut + 12),
    period: 12,
  }));
}

export async function syntheticWindows(): Promise<EvalWindow[]> {
  const file = path.join(here, 'data/synthetic-heldout.json');
  const data = JSON.parse(await fs.readFile(file, 'utf8')) as { series: { name: string; period: number; horizon: number; values: number[] }[] };
  return data.series.map((s) => ({
    dataset: 'synthetic (held-out)',
    id: s.name,
    history: s.values.slice(0, s.values.length - s.horizon),
    actual: s.values.slice(s.values.length - s.horizon),
    period: s.period,
  }));
}

/** Forecasts of the model for every window, in order (one pipeline call per horizon length). */
export async function modelForecasts(runner: ModelRunner, windows: readonly EvalWindow[]): Promise<Forecast[]> {
  const out: Forecast[] = new Array(windows.length);
  const byHorizon = new Map<number, number[]>();
  windows.forEach((w, i) => byHorizon.set(w.actual.length, [...(byHorizon.get(w.actual.length) ?? []), i]));
  for (const [horizon, indices] of byHorizon) {
    const preds = await predict(
      runner,
      indices.map((i) => Float64Array.from(windows[i].history)),
      { predictionLength: horizon, batchSize: 64 },
    );
    preds.forEach((p, k) => {
      const levelIndex = (q: number) => p.quantileLevels.findIndex((l) => Math.abs(l - q) < 1e-9);
      const row = (q: number) => Array.from(p.values.subarray(levelIndex(q) * horizon, (levelIndex(q) + 1) * horizon));
      out[indices[k]] = { median: row(0.5), quantiles: WQL_LEVELS.map(row) };
    });
  }
  return out;
}

export function baselineForecast(method: Method, w: EvalWindow): Forecast {
  const m = effectivePeriod(w.period, w.history.length);
  return method === 'AutoETS (augurs)' ? autoEts(w.history, w.period, w.actual.length) : seasonalNaive(w.history, m, w.actual.length);
}

/** Scores per dataset and method. */
export function score(windows: readonly EvalWindow[], forecasts: Record<Method, Forecast[]>): Score[] {
  const scores: Score[] = [];
  const datasets = [...new Set(windows.map((w) => w.dataset))];
  for (const dataset of datasets) {
    const idx = windows.map((w, i) => (w.dataset === dataset ? i : -1)).filter((i) => i >= 0);
    const naiveMase = new Map<number, number>();
    const naiveWql = new Map<number, number>();
    for (const i of idx) {
      const w = windows[i];
      const scale = maseScale(w.history, effectivePeriod(w.period, w.history.length));
      if (scale > 0) naiveMase.set(i, mase(w.actual, forecasts['seasonal naive'][i].median, scale));
      const parts = wqlParts(w.actual, forecasts['seasonal naive'][i]);
      naiveWql.set(i, parts.loss / parts.norm);
    }
    for (const method of METHODS) {
      let maseSum = 0;
      let maseCount = 0;
      let wqlSum = 0;
      let wqlCount = 0;
      let logRelWql = 0;
      let relWqlCount = 0;
      let mapeSum = 0;
      let mapeCount = 0;
      let logRel = 0;
      let relCount = 0;
      for (const i of idx) {
        const w = windows[i];
        const f = forecasts[method][i];
        const scale = maseScale(w.history, effectivePeriod(w.period, w.history.length));
        if (scale > 0) {
          const v = mase(w.actual, f.median, scale);
          maseSum += v;
          maseCount++;
          const base = naiveMase.get(i);
          if (base !== undefined && base > 0 && v > 0) {
            logRel += Math.log(v / base);
            relCount++;
          }
        }
        const parts = wqlParts(w.actual, f);
        if (parts.norm > 0) {
          const v = parts.loss / parts.norm;
          wqlSum += v;
          wqlCount++;
          const base = naiveWql.get(i)!;
          if (base > 0 && v > 0) {
            logRelWql += Math.log(v / base);
            relWqlCount++;
          }
        }
        if (w.dataset === 'airline') {
          mapeSum += mape(w.actual, f.median);
          mapeCount++;
        }
      }
      scores.push({
        dataset,
        method,
        windows: idx.length,
        mase: maseSum / maseCount,
        wql: wqlSum / wqlCount,
        mape: mapeCount ? mapeSum / mapeCount : NaN,
        relMase: relCount ? Math.exp(logRel / relCount) : NaN,
        relWql: relWqlCount ? Math.exp(logRelWql / relWqlCount) : NaN,
      });
    }
  }
  return scores;
}

export function markdownTable(scores: readonly Score[], modelName: string): string {
  const fmt = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : '–');
  const lines = [
    '| Dataset (windows) | Method | MASE ↓ | WQL ↓ | MAPE % ↓ | MASE rel. to seasonal naive ↓ | WQL rel. to seasonal naive ↓ |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const s of scores) {
    const name = s.method === 'model' ? `**${modelName}**` : s.method;
    lines.push(`| ${s.dataset} (${s.windows}) | ${name} | ${fmt(s.mase)} | ${fmt(s.wql)} | ${fmt(s.mape, 2)} | ${fmt(s.relMase)} | ${fmt(s.relWql)} |`);
  }
  return lines.join('\n');
}

async function main(args: string[]): Promise<number> {
  let modelDir = DEFAULT_MODEL_DIR;
  let card: string | null = null;
  let jsonOut: string | null = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--model') modelDir = path.resolve(args[++i]);
    else if (args[i] === '--card') card = path.resolve(args[++i]);
    else if (args[i] === '--json') jsonOut = path.resolve(args[++i]);
    else throw new Error(`unknown argument ${args[i]}; usage: evaluate.ts [--model DIR] [--card README.md] [--json OUT]`);
  }
  const modelName = path.basename(modelDir);
  const runner = await runnerFromDir(modelDir);
  const windows = [...(await airlineWindows()), ...(await syntheticWindows())];
  const t0 = Date.now();
  const forecasts: Record<Method, Forecast[]> = {
    model: await modelForecasts(runner, windows),
    'seasonal naive': windows.map((w) => baselineForecast('seasonal naive', w)),
    'AutoETS (augurs)': windows.map((w) => baselineForecast('AutoETS (augurs)', w)),
  };
  const scores = score(windows, forecasts);

  // the headline check: train 1949-1959, forecast 1960
  const last = windows.findIndex((w) => w.id === 'airline-1960');
  const airline1960 = Object.fromEntries(METHODS.map((m) => [m, mape(windows[last].actual, forecasts[m][last].median)])) as Record<Method, number>;

  const table = markdownTable(scores, modelName);
  const headline =
    `Airline, history 1949–1959, forecast 1960 (h = 12), MAPE of the median: ` +
    METHODS.map((m) => `${m === 'model' ? modelName : m} ${airline1960[m].toFixed(2)}%`).join(', ') +
    '.';
  console.log(table);
  console.log();
  console.log(headline);
  console.log(`(${windows.length} windows in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);

  if (jsonOut) await fs.writeFile(jsonOut, JSON.stringify({ model: modelName, airline1960Mape: airline1960, scores }, null, 2) + '\n');
  if (card) {
    await replaceBetween(card, '<!-- eval:start -->', '<!-- eval:end -->', `${table}\n\n${headline}`);
    console.log(`updated ${card}`);
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
