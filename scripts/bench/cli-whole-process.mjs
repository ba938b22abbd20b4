// The CLI benchmark of docs/benchmarks.md ("CLI: whole process"): start to file written for 32 series × 512
// steps, horizon 64, amazon/chronos-2 size (seeded random weights), side by side in one run and in rotating
// order: the PyTorch comparison process (scripts/bench/torch-forecast.py, OPENBLAS_NUM_THREADS=1), the CLI as
// it was (`npm run forecast` of a `git archive` of the old commit, run by tsx), and the compiled `chronos-web
// forecast` of this checkout (lib/, `npm run build:lib`). Also times the phases (process start + imports, model
// load) and checks that old and new CLI write the same file and how close the PyTorch forecast is.
//
//   node scripts/bench/cli-whole-process.mjs --before .tmp/before [--rounds 3] [--work .tmp/bench]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const rounds = Number(args.rounds ?? 3);
const before = path.resolve(args.before ?? '.tmp/before');
const work = path.resolve(args.work ?? '.tmp/bench');
const root = path.resolve('.');
const ckpt = path.join(work, 'c2-ckpt');
const onnxDir = path.join(work, 'c2');
const csv = path.join(work, 'series-32x512.csv');
mkdirSync(work, { recursive: true });

function sh(cmd, argv, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 26, ...opts });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { ...r, seconds };
}

// Inputs: the model (random weights at the amazon/chronos-2 size) and the CSV (long format, 32 ids).
if (!existsSync(path.join(ckpt, 'model.safetensors'))) sh('npm', ['run', '-s', 'make-random', '--', ckpt, '--preset', 'chronos-2'], { stdio: 'inherit' });
if (!existsSync(path.join(onnxDir, 'manifest.json'))) sh('npm', ['run', '-s', 'convert', '--', ckpt, onnxDir], { stdio: 'inherit' });
if (!existsSync(csv)) {
  let text = 'item_id,timestamp,target\n';
  let seed = 1;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
  for (let s = 0; s < 32; s++) {
    for (let t = 0; t < 512; t++) {
      const ts = new Date(Date.UTC(2024, 0, 1, t)).toISOString().slice(0, 19).replace('T', ' ');
      text += `series_${String(s).padStart(2, '0')},${ts},${(100 + 10 * Math.sin((2 * Math.PI * t) / 24 + s) + 0.05 * t * s + rand()).toFixed(3)}\n`;
    }
  }
  writeFileSync(csv, text);
}

const out = (name) => path.join(work, `out-${name}.csv`);
const variants = {
  pytorch: () => sh('/usr/bin/python3', [path.join(root, 'scripts/bench/torch-forecast.py'), ckpt, csv, out('pytorch'), '--horizon', '64'], { env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } }),
  before: () => sh('npm', ['run', '-s', 'forecast', '--', csv, '--horizon', '64', '--model', onnxDir, '--out', out('before')], { cwd: before }),
  after: () => sh(process.execPath, [path.join(root, 'lib/cli/chronos-web.js'), 'forecast', csv, '--horizon', '64', '--model', onnxDir, '--out', out('after')]),
};
const startup = {
  before: () => sh('npm', ['run', '-s', 'forecast'], { cwd: before }),
  after: () => sh(process.execPath, [path.join(root, 'lib/cli/chronos-web.js'), 'forecast']),
};
const loadScript = (modulePath) =>
  `const { runnerFromDir } = await import(${JSON.stringify(modulePath)}); const ort = await import('onnxruntime-node');` +
  `const t = performance.now(); const r = await runnerFromDir(${JSON.stringify(onnxDir)}, { ort, sessionOptions: { graphOptimizationLevel: 'all' } });` +
  `console.log(((performance.now() - t) / 1000).toFixed(3)); await r.dispose();`;
const load = {
  before: () => sh(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', loadScript(path.join(before, 'src/node/model-files.ts'))], { cwd: before }),
  after: () => sh(process.execPath, ['--input-type=module', '-e', loadScript(path.join(root, 'lib/node/model-files.js'))]),
};

const times = { pytorch: [], before: [], after: [] };
const phases = { startBefore: [], startAfter: [], loadBefore: [], loadAfter: [], fcBefore: [], fcAfter: [], torch: [] };
const order = ['pytorch', 'before', 'after'];
for (let round = 0; round < rounds; round++) {
  const rotated = [...order.slice(round % 3), ...order.slice(0, round % 3)];
  for (const name of rotated) {
    const r = variants[name]();
    if (r.status !== 0) throw new Error(`${name} failed:\n${r.stderr}`);
    times[name].push(r.seconds);
    const fc = /in ([\d.]+) s/.exec(r.stderr)?.[1];
    if (name === 'before' && fc) phases.fcBefore.push(Number(fc));
    if (name === 'after' && fc) phases.fcAfter.push(Number(fc));
    if (name === 'pytorch') phases.torch.push(r.stderr.trim());
    console.error(`round ${round + 1} ${name}: ${r.seconds.toFixed(2)} s`);
  }
  phases.startBefore.push(startup.before().seconds);
  phases.startAfter.push(startup.after().seconds);
  phases.loadBefore.push(Number(load.before().stdout.trim()));
  phases.loadAfter.push(Number(load.after().stdout.trim()));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f = (x) => x.toFixed(2);
// Compare the numbers (mean and every quantile column, by header; the label columns differ between versions).
const numbers = (file) => {
  const [head, ...rows] = readFileSync(file, 'utf8').trim().split(/\r?\n/).map((l) => l.split(','));
  const cols = head.map((h, i) => [h, i]).filter(([h]) => h === 'mean' || /^q[\d.]+$/.test(h));
  return rows.flatMap((r) => cols.map(([, i]) => Number(r[i])));
};
const worst = (x, y) => Math.max(...x.map((v, i) => Math.abs(v - y[i]))) / Math.max(...y.map(Math.abs));
const [a, b, c] = [numbers(out('after')), numbers(out('before')), numbers(out('pytorch'))];
const oldNew = worst(a, b);
const rel = worst(a, c);
console.log(`| process | whole process, median of ${rounds} (s) | runs (s) | × PyTorch |`);
console.log('|---|---|---|---|');
for (const name of order) console.log(`| ${name} | ${f(median(times[name]))} | ${times[name].map(f).join(', ')} | ${f(median(times.pytorch) / median(times[name]))} |`);
console.log('');
console.log('| phase | before | after |');
console.log('|---|---|---|');
console.log(`| process start + imports (no arguments) | ${f(median(phases.startBefore))} | ${f(median(phases.startAfter))} |`);
console.log(`| model load (manifest, hash, session 'all') | ${f(median(phases.loadBefore))} | ${f(median(phases.loadAfter))} |`);
console.log(`| forecast (the CLI's own figure) | ${f(median(phases.fcBefore))} | ${f(median(phases.fcAfter))} |`);
console.log('');
console.log(`PyTorch phases (last round): ${phases.torch.at(-1)}`);
console.log(`old vs new CLI (mean + quantiles, ${a.length} values): max |diff| / max |value| = ${oldNew.toExponential(2)}; PyTorch vs new CLI: ${rel.toExponential(2)}`);
