// `npm run embed -- <csv> [--out FILE.json] [--model DIR] [--context-length N] [--batch-size N] [--full] [--neighbours K]`:
// Chronos-2 embeddings of every series of a CSV file (upstream `Chronos2Pipeline.embed`), read with the app's own CSV
// parsing and series building. Writes JSON: per series its instance-norm loc/scale, one summary vector (the REG
// token's hidden state) and its K most similar series by cosine similarity; with --full also every token's hidden
// state ([patches + 2][d_model]).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseCsv } from '../data/csv';
import { buildSeries, detectSchema } from '../data/table';
import { embed, mostSimilar, seriesVectors } from '../forecast';
import { defaultModelDir } from '../node/model-registry';
import { runnerFromDir } from '../node/model-files';
import { runCli } from './run-cli';

const USAGE = 'usage: npm run embed -- <csv> [--out FILE.json] [--model DIR] [--context-length N] [--batch-size N] [--full] [--neighbours K]';

/** Rounds to float32 precision's useful digits, so the JSON stays readable and small. */
const round = (x: number): number => Number(x.toPrecision(7));

runCli(async (args) => {
  const positional: string[] = [];
  let out: string | undefined;
  let model: string | undefined;
  let contextLength: number | undefined;
  let batchSize: number | undefined;
  let full = false;
  let neighbours = 5;
  const int = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${flag} needs a whole number, got ${v ?? 'nothing'}\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string => {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--out' || a === '-o') out = value();
    else if (a === '--model') model = value();
    else if (a === '--context-length') contextLength = int(a, value());
    else if (a === '--batch-size') batchSize = int(a, value());
    else if (a === '--neighbours') neighbours = int(a, value());
    else if (a === '--full') full = true;
    else if (a === '--help') return void console.log(USAGE);
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else positional.push(a);
  }
  if (positional.length !== 1) throw new Error(USAGE);
  const csv = positional[0];
  const text = await fs.readFile(csv, 'utf8').catch(() => {
    throw new Error(`${csv}: cannot read the file`);
  });
  const table = await parseCsv(text);
  const set = buildSeries(table, detectSchema(table));
  for (const w of [...table.warnings, ...set.warnings]) console.error(`note: ${w}`);

  const modelDir = model ?? (await defaultModelDir());
  const runner = await runnerFromDir(modelDir);
  const t0 = performance.now();
  const embeddings = await embed(
    runner,
    set.series.map((s) => s.target),
    { ...(contextLength !== undefined ? { contextLength } : {}), ...(batchSize !== undefined ? { batchSize } : {}), onWarning: (m) => console.error(`note: ${m}`) },
  );
  const seconds = (performance.now() - t0) / 1000;
  await runner.dispose();
  const vectors = embeddings.map((e) => seriesVectors(e)[0]);
  const result = {
    model: path.basename(path.resolve(modelDir)),
    source: path.basename(csv),
    dModel: embeddings[0]?.dModel ?? 0,
    vector: 'hidden state of the REG token (the encoder reads the whole context through it); inputs are instance-normalised, so it describes shape, not level',
    series: set.series.map((s, i) => ({
      name: s.id,
      loc: round(embeddings[i].loc[0]),
      scale: round(embeddings[i].scale[0]),
      vector: Array.from(vectors[i], round),
      mostSimilar: mostSimilar(vectors, i, neighbours).map((r) => ({ name: set.series[r.index].id, similarity: round(r.similarity) })),
      ...(full ? { numTokens: embeddings[i].numTokens, hiddenStates: Array.from(embeddings[i].values, round) } : {}),
    })),
  };
  const json = `${JSON.stringify(result)}\n`;
  if (out) {
    await fs.writeFile(out, json);
    console.error(`wrote embeddings of ${set.series.length} series (d_model ${result.dModel}) to ${out} in ${seconds.toFixed(2)} s`);
  } else {
    process.stdout.write(json);
  }
});
