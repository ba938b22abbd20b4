// `npm run forecast -- <csv> --horizon N [--out FILE.csv|FILE.json] [--model DIR] [--multivariate]
// [--cross-learning] [--runtime node|web]`: batch forecasting from the command line with the same CSV
// parsing, task building and output columns as the app's downloads. Runs on onnxruntime-node when it is
// installed (native CPU), else on onnxruntime-web (WASM in Node). A checkpoint folder is converted on the fly.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as ortWeb from 'onnxruntime-web';
import { parseCsv } from '../data/csv';
import { buildSeries, detectSchema } from '../data/table';
import { predict } from '../forecast';
import { runnerFromDir } from '../node/model-files';
import type { OrtModule } from '../runtime/ort-runner';
import { buildTasks, prepareRun, seriesRefs } from '../state/dataset';
import { forecastCsv, forecastJson } from '../state/export';
import { bucketLength, sliceVariate, type SeriesForecast } from '../state/forecast-view';
import { defaultModelDir } from '../node/model-registry';
import { runCli } from './run-cli';

const USAGE =
  'usage: npm run forecast -- <csv> --horizon N [--out FILE.csv|FILE.json] [--model DIR] [--multivariate] [--cross-learning] [--runtime node|web]';

/** Parsed command line. */
interface ForecastArgs {
  csv: string;
  horizon: number;
  out?: string;
  model?: string;
  multivariate: boolean;
  crossLearning: boolean;
  runtime?: 'node' | 'web';
}

function parseArgs(args: string[]): ForecastArgs {
  const positional: string[] = [];
  const parsed: Partial<ForecastArgs> = { multivariate: false, crossLearning: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--horizon' || a === '-h') parsed.horizon = Number(value());
    else if (a === '--out' || a === '-o') parsed.out = value();
    else if (a === '--model') parsed.model = value();
    else if (a === '--multivariate') parsed.multivariate = true;
    else if (a === '--cross-learning') parsed.crossLearning = true;
    else if (a === '--runtime') {
      const r = value();
      if (r !== 'node' && r !== 'web') throw new Error(`--runtime must be node or web, got ${r}`);
      parsed.runtime = r;
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else positional.push(a);
  }
  if (positional.length !== 1) throw new Error(USAGE);
  if (!Number.isSafeInteger(parsed.horizon) || (parsed.horizon ?? 0) < 1) throw new Error(`--horizon must be a whole number ≥ 1\n${USAGE}`);
  return { ...(parsed as ForecastArgs), csv: positional[0] };
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

runCli(async (argv) => {
  const args = parseArgs(argv);
  const text = await fs.readFile(args.csv, 'utf8').catch(() => {
    throw new Error(`${args.csv}: cannot read the file`);
  });
  const table = await parseCsv(text);
  const schema = detectSchema(table);
  const set = buildSeries(table, schema);
  for (const w of [...table.warnings, ...set.warnings]) console.error(`note: ${w}`);

  const modelDir = args.model ?? (await defaultModelDir());
  const { ort, label } = await loadOrt(args.runtime);
  const runner = await runnerFromDir(modelDir, { ort, sessionOptions: { graphOptimizationLevel: 'all' } });
  const info = runner.info;
  const tasks = buildTasks(set, args.multivariate);
  const predictionLength = bucketLength(args.horizon, info.patchSize);
  const futureNames = set.futureCovariateNames;
  const run = prepareRun(tasks, set.frequency, null, predictionLength, info.contextLength, futureNames);

  console.error(`${tasks.length} task(s), ${set.frequency.label}, horizon ${args.horizon}, model ${path.basename(path.resolve(modelDir))} on ${label}`);
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

  const series: SeriesForecast[] = seriesRefs(tasks).map((ref) =>
    sliceVariate(forecasts[ref.task], ref.variate, args.horizon, ref.name, run.forecastTimestamps[ref.task]),
  );
  const output = args.out?.toLowerCase().endsWith('.json')
    ? forecastJson(series, { model: path.basename(path.resolve(modelDir)), backend: label, frequency: set.frequency, backtest: false })
    : forecastCsv(series, set.frequency);
  if (args.out) {
    await fs.writeFile(args.out, output);
    console.error(`wrote ${series.length} series × ${args.horizon} steps to ${args.out} in ${seconds.toFixed(2)} s`);
  } else {
    process.stdout.write(output);
  }
  await runner.dispose();
});
