// `npm run forecast` on files shaped like the wild ones (real child processes, real files): the right target on
// the right time axis, timestamps written in the input's format, the notes the app shows, the column-role and
// time-axis flags, a 3-window rolling backtest whose per-window numbers equal separate runs on the truncated
// data, and the hardening regressions of issue 11 (formula injection, --out onto the input, UTF-16, dates the
// CLI used to turn into steps silently, UTC offsets on export).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = path.resolve(__dirname, '../..');
const fixtures = path.join(repo, 'test/fixtures/csv');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'chronos-cli-wild-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function forecast(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli/forecast.ts'), ...args, '--runtime', 'web'], {
      cwd: repo,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** A CSV as objects keyed by header (these outputs quote no field). */
function rows(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trim().split('\n').map((l) => l.split(','));
  return lines.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]])));
}

describe('forecast CLI on wild files', { timeout: 300_000 }, () => {
  it('R ts monthly: forecasts value (not the row counter) and writes decimal years; prints the notes', async () => {
    const r = await forecast([path.join(fixtures, 'r-ts-monthly.csv'), '--horizon', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/time column 'time' \(decimal year \(monthly, R ts\)\), monthly/);
    expect(r.stderr).toMatch(/forecasting 'value' → 1 series/);
    expect(r.stderr).toMatch(/note: Column 'column_1' \(blank header, as R writes row names\) counts rows/);
    const out = rows(r.stdout);
    expect(out.map((o) => [o.series, o.target, o.timestamp])).toEqual([
      ['value', 'value', '1961'],
      ['value', 'value', '1961.08333333333'],
      ['value', 'value', '1961.16666666667'],
    ]);
    expect(Number(out[0].mean)).toBeGreaterThan(350);
  });

  it('a file without dates with --frequency and --start; --quantiles; --target and --covariates', async () => {
    const r = await forecast([path.join(fixtures, 'r-ts-no-time.csv'), '--horizon', '2', '--frequency', 'monthly', '--start', '1949-01', '--quantiles', '0.1,0.5,0.9']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/no time column; rows start at 1949-01, monthly, 1949-01 → 1960-12/);
    expect(r.stdout.split('\n')[0]).toBe('series,target,timestamp,mean,q0.1,q0.5,q0.9');
    expect(rows(r.stdout).map((o) => o.timestamp)).toEqual(['1961-01', '1961-02']);

    const picked = await forecast([path.join(fixtures, 'panel-long-6.csv'), '--horizon', '1', '--target', 'births,deaths', '--covariates', 'none']);
    expect(picked.code, picked.stderr).toBe(0);
    expect(rows(picked.stdout).map((o) => o.series)).toEqual(['NSW · births', 'NSW · deaths', 'VIC · births', 'VIC · deaths', 'QLD · births', 'QLD · deaths']);
    const wrong = await forecast([path.join(fixtures, 'panel-long-6.csv'), '--target', 'nope']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/There is no column 'nope' to use as target/);
  });

  it('known future covariates come from rows with an empty target', async () => {
    const r = await forecast([path.join(fixtures, 'known-future.csv'), '--horizon', '14']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/covariates 'price', 'promo' \(known future: 'price', 'promo'\)/);
    expect(rows(r.stdout)[0].timestamp).toBe('2023-04-10');
  });

  it('a 3-window rolling backtest equals separate runs on the truncated data', { timeout: 900_000 }, async () => {
    const csv = path.join(tmp, 'bt.csv');
    const r = await forecast([path.join(repo, 'public/airline-passengers.csv'), '--backtest', '12', '--windows', '3', '--out', csv]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/baselines with season m = 12 \(monthly\)/);
    expect(r.stderr).toMatch(/AutoETS \(augurs, MSTL\+ETS, m = 12\)/);
    expect(r.stderr).toMatch(/skill\(MASE\)/);
    const windows = rows(readFileSync(csv, 'utf8'));
    expect([...new Set(windows.map((x) => x.cutoff))]).toEqual(['1957-12', '1958-12', '1959-12']);
    const lines = readFileSync(path.join(repo, 'public/airline-passengers.csv'), 'utf8').trim().split('\n');
    for (const [w, cutoff] of [
      [1, 108],
      [2, 120],
      [3, 132],
    ] as const) {
      const file = path.join(tmp, `airline-${cutoff}.csv`);
      writeFileSync(file, `${lines.slice(0, 1 + cutoff).join('\n')}\n`);
      const alone = await forecast([file, '--horizon', '12']);
      expect(alone.code, alone.stderr).toBe(0);
      const mine = windows.filter((x) => x.window === String(w));
      const separate = rows(alone.stdout);
      expect(mine.map((x) => x.timestamp)).toEqual(separate.map((x) => x.timestamp));
      // Equal to float32 precision: the batched windows are padded to a common context, which can change the
      // last bit of a sum (both files are written with 7 significant digits).
      const close = (a: string[], b: string[]) => a.forEach((v, k) => expect(Math.abs(Number(v) - Number(b[k]))).toBeLessThanOrEqual(2e-6 * Math.abs(Number(b[k]))));
      close(mine.map((x) => x.model_median), separate.map((x) => x.mean));
      close(mine.map((x) => x['model_q0.9']), separate.map((x) => x['q0.9']));
      // The window's actuals are the rows that follow the truncated file.
      expect(mine.map((x) => Number(x.actual))).toEqual(lines.slice(1 + cutoff, 13 + cutoff).map((l) => Number(l.split(',')[1])));
    }
  });

  it('--help lists the flags; bad flags say what is wrong', async () => {
    const help = await forecast(['--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--target', '--id', '--timestamp', '--covariates', '--frequency', '--start', '--season', '--backtest', '--windows', '--step', '--quantiles']) {
      expect(help.stdout).toContain(flag);
    }
    expect((await forecast([path.join(fixtures, 'r-ts-monthly.csv'), '--windows', '3'])).stderr).toMatch(/--windows and --step belong to a backtest/);
    expect((await forecast([path.join(fixtures, 'r-ts-monthly.csv'), '--frequency', 'fortnightly'])).stderr).toMatch(/'fortnightly' is not a frequency/);
    const tooMany = await forecast([path.join(fixtures, 'r-ts-quarterly.csv'), '--backtest', '40', '--windows', '3']);
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toMatch(/BacktestError: 'value' has 108 values; 3 windows of 40 steps/);
  });
});

describe('hardening regressions (issue 11)', { timeout: 300_000 }, () => {
  it('item 12: --out onto the input file is refused and the input is untouched', async () => {
    const input = path.join(tmp, 'in.csv');
    const original = readFileSync(path.join(fixtures, 'r-ts-monthly.csv'), 'utf8');
    writeFileSync(input, original);
    const r = await forecast([input, '--horizon', '2', '--out', input]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is the input file; refusing to overwrite it/);
    expect(readFileSync(input, 'utf8')).toBe(original);
    const viaDots = await forecast([input, '--out', path.join(tmp, '.', 'in.csv')]);
    expect(viaDots.code).toBe(1);
  });

  it('item 9: names and ids like =HYPERLINK(…), +SUM(1+1), @cmd are neutralised in the CSV', async () => {
    const input = path.join(tmp, 'formulas.csv');
    const lines = ['store,date,sales'];
    for (const id of ['=HYPERLINK("http://x")', '+SUM(1+1)', '@cmd', '-2+3']) {
      for (let d = 1; d <= 10; d++) lines.push(`"${id.replace(/"/g, '""')}",2024-01-${String(d).padStart(2, '0')},${10 + d}`);
    }
    writeFileSync(input, lines.join('\n'));
    const r = await forecast([input, '--horizon', '1']);
    expect(r.code, r.stderr).toBe(0);
    const first = r.stdout.trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    expect(first).toEqual(['"\'=HYPERLINK(""http://x"")"', '"\'+SUM(1+1)"', '"\'@cmd"', '"\'-2+3"']);
  });

  it('item 14: UTF-16 CSVs (with or without BOM) are read, not rejected as binary', async () => {
    const text = readFileSync(path.join(fixtures, 'r-ts-monthly.csv'), 'utf8').replace(/\n/g, '\r\n');
    const withBom = path.join(tmp, 'utf16-bom.csv');
    writeFileSync(withBom, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const a = await forecast([withBom, '--horizon', '1']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toMatch(/utf-16le/);
    expect(rows(a.stdout)[0].timestamp).toBe('1961');
    const noBom = path.join(tmp, 'utf16.csv');
    writeFileSync(noBom, Buffer.from(text, 'utf16le'));
    const b = await forecast([noBom, '--horizon', '1']);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/no byte-order mark; it was read as UTF-16LE/);
  });

  it('item 14: dates outside 1000–9999 or in mixed formats stop the CLI with a clear message (never silent steps)', async () => {
    const ancient = path.join(tmp, 'ancient.csv');
    writeFileSync(ancient, ['date,value', ...Array.from({ length: 10 }, (_, i) => `0${950 + i}-01-01,${i}`)].join('\n'));
    const a = await forecast([ancient, '--horizon', '2']);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/Column 'date' looks like dates .* a year outside 1000–9999/);
    expect(a.stdout).toBe('');
    const mixed = path.join(tmp, 'mixed.csv');
    writeFileSync(mixed, ['date,value', '2024-01-01,1', '2024-01-02,2', '01/03/2024,3', '2024-01-04,4', '2024-01-05,5'].join('\n'));
    const b = await forecast([mixed, '--horizon', '2']);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/'01\/03\/2024' is not a date in that format/);
    // Steps on purpose still work.
    const steps = await forecast([mixed, '--horizon', '2', '--timestamp', 'none']);
    expect(steps.code, steps.stderr).toBe(0);
  });

  it('item 14: UTC offsets are kept on export', async () => {
    const r = await forecast([path.join(fixtures, 'offsets-daily.csv'), '--horizon', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/UTC offsets kept/);
    expect(rows(r.stdout).map((o) => o.timestamp)).toEqual(['2024-05-01T00:00:00+02:00', '2024-05-02T00:00:00+02:00']);
  });
});
