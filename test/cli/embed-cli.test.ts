// `npm run embed` as a user runs it (a child process, real files): the CSV's series get the library's embeddings
// (REG-token vector, loc/scale) and their most similar series; --full adds every token; bad input is one clear line.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { embed, seriesVectors } from '../../src/forecast';
import { runnerFromDir } from '../../src/node/model-files';

const run = promisify(execFile);
const repo = path.resolve(__dirname, '../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'chronos-embed-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const model = path.join(repo, 'test/fixtures/chronos2/models/random-small');
const csv = path.join(repo, 'test/fixtures/csv/wide-3-series.csv');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli/embed.ts'), ...args], { cwd: repo, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('embed CLI', () => {
  it('writes one vector per series equal to the library embed, with loc/scale, neighbours and (with --full) all tokens', async () => {
    const out = path.join(tmp, 'emb.json');
    const r = await cli([csv, '--out', out, '--model', model, '--full', '--neighbours', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wrote embeddings of 3 series \(d_model 32\)/);
    const json = JSON.parse(readFileSync(out, 'utf8')) as {
      dModel: number;
      series: Array<{ name: string; loc: number; scale: number; vector: number[]; mostSimilar: Array<{ name: string; similarity: number }>; numTokens: number; hiddenStates: number[] }>;
    };
    expect(json.series.map((s) => s.name)).toEqual(['Store A', 'Store B', 'Store C']);
    const lines = readFileSync(csv, 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
    const runner = await runnerFromDir(model);
    const direct = await embed(runner, [1, 2, 3].map((c) => lines.map((l) => Number(l[c]))));
    await runner.dispose();
    json.series.forEach((s, i) => {
      const v = seriesVectors(direct[i])[0];
      expect(s.vector).toHaveLength(32);
      s.vector.forEach((x, d) => expect(x).toBeCloseTo(v[d], 5));
      expect(s.loc).toBeCloseTo(direct[i].loc[0], 3);
      expect(s.hiddenStates).toHaveLength(s.numTokens * 32);
      expect(s.mostSimilar).toHaveLength(1);
      expect(s.mostSimilar[0].name).not.toBe(s.name);
    });
  });

  it('fails with one line for a missing file or a bad option', async () => {
    const missing = await cli([path.join(tmp, 'nope.csv'), '--model', model]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toMatch(/^error: .*nope\.csv: cannot read the file$/);
    const bad = await cli([csv, '--context-length', 'ten']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--context-length needs a whole number, got ten/);
  });
});
