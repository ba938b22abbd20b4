// The Node CLIs as a user runs them (a real child process, real files): convert, parity and forecast,
// including their failure modes (clear one-line errors, exit codes).
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = path.resolve(__dirname, '../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'chronos-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli', script), ...args], { cwd: repo, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('convert CLI', () => {
  it('writes model.onnx and a manifest whose hash and sizes match', async () => {
    const out = path.join(tmp, 'converted');
    const r = await cli('convert.ts', [path.join(repo, 'test/fixtures/chronos2/models/random-small'), out, '--name', 'rs']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/79,072 parameters/);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'chronos-web-onnx', name: 'rs', onnxFile: 'model.onnx', parameterCount: 79072 });
    expect(readFileSync(path.join(out, 'model.onnx')).byteLength).toBe(manifest.onnxBytes);
    expect(manifest.config).toMatchObject({ patchSize: 16, contextLength: 512, maxOutputPatches: 8 });
  });

  it('names the missing file', async () => {
    const r = await cli('convert.ts', [path.join(tmp, 'nope'), path.join(tmp, 'x')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nope\/config\.json: file not found/);
  });
});

describe('parity CLI', () => {
  it('passes real cases and fails a case whose expected output was altered', async () => {
    const root = path.join(tmp, 'fixtures');
    cpSync(path.join(repo, 'test/fixtures/chronos2/models'), path.join(root, 'models'), { recursive: true });
    const cases = path.join(root, 'cases');
    cpSync(path.join(repo, 'test/fixtures/chronos2/cases/e_predict_pl7.json'), path.join(cases, 'ok.json'));
    const bad = JSON.parse(readFileSync(path.join(repo, 'test/fixtures/chronos2/cases/e_predict_pl7.json'), 'utf8'));
    bad.expected.predictions[0][0][10][3] *= 1.01; // one value of the median, 1% off
    writeFileSync(path.join(cases, 'tampered.json'), JSON.stringify(bad));
    const r = await cli('parity.ts', [root]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^PASS {2}ok /m);
    expect(r.stdout).toMatch(/^FAIL {2}tampered /m);
    expect(r.stdout.trim().split('\n').pop()).toBe('1 passed, 1 failed');
  });
});

describe('forecast CLI', () => {
  it('forecasts the airline CSV with the app download columns and monthly timestamps', async () => {
    const out = path.join(tmp, 'airline.csv');
    const r = await cli('forecast.ts', [path.join(repo, 'public/airline-passengers.csv'), '--horizon', '12', '--out', out, '--runtime', 'web']);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(13);
    expect(lines[0]).toBe('series,target,timestamp,mean,q0.01,q0.05,q0.1,q0.15,q0.2,q0.25,q0.3,q0.35,q0.4,q0.45,q0.5,q0.55,q0.6,q0.65,q0.7,q0.75,q0.8,q0.85,q0.9,q0.95,q0.99');
    expect(lines[1]).toMatch(/^passengers,passengers,1961-01,/);
    expect(lines[12]).toMatch(/^passengers,passengers,1961-12,/);
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      expect(cells).toHaveLength(25);
      expect(cells.slice(3).every((c) => Number.isFinite(Number(c)) && c !== '')).toBe(true);
      expect(cells[3]).toBe(cells[14]); // mean is the median column
    }
  });

  it('writes JSON for several series', async () => {
    const out = path.join(tmp, 'wide.json');
    const r = await cli('forecast.ts', [path.join(repo, 'test/fixtures/csv/wide-3-series.csv'), '--horizon', '5', '--out', out, '--runtime', 'web']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.series).toHaveLength(3);
    for (const s of doc.series) {
      expect(s.timestamps).toHaveLength(5);
      expect(s.quantiles).toHaveLength(21);
    }
  });

  it('explains a bad file in one line and exits 1', async () => {
    const r = await cli('forecast.ts', [path.join(repo, 'test/fixtures/csv/no-numeric.csv'), '--horizon', '3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^CsvParseError: .*numbers/m);
    const bad = await cli('forecast.ts', [path.join(repo, 'public/airline-passengers.csv'), '--horizon', '0']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--horizon must be a whole number/);
  });
});
