// Aggregates of backtest scores over series and windows, scale-free only (averaging MAE over series of different
// scales says nothing): mean MASE, mean WQL, the geometric mean of each method's MAE relative to seasonal naive,
// and the skill score as fev-bench reports it: 1 − geometric mean of the errors relative to seasonal naive,
// each ratio clipped to [0.01, 100] (fev's `leaderboard` defaults).
import type { ScoredWindow } from './backtest';

/** Bounds of fev-bench's relative errors before the geometric mean. */
export const RELATIVE_ERROR_CLIP = [0.01, 100] as const;

/** Scale-free summary of one method over every scored window. */
export interface MethodSummary {
  method: string;
  label: string;
  /** Windows (series × windows) with a finite score. */
  windows: number;
  /** Arithmetic mean of MASE (scale-free per window). */
  mase: number;
  /** Arithmetic mean of WQL (scale-free per window). */
  wql: number;
  /** Mean coverage of the 80% interval, percent. */
  coverage80: number;
  /** Geometric mean of MAE / seasonal-naive MAE. */
  relativeMae: number;
  /** fev-bench skill score on MASE: 1 − gmean(clip(MASE / MASE of seasonal naive)). */
  skillMase: number;
  /** fev-bench skill score on WQL: 1 − gmean(clip(WQL / WQL of seasonal naive)). */
  skillWql: number;
}

/** Geometric mean of positive finite values (others skipped); NaN when none. */
export function geometricMean(values: readonly number[]): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (Number.isFinite(v) && v > 0) {
      sum += Math.log(v);
      n++;
    }
  }
  return n === 0 ? NaN : Math.exp(sum / n);
}

/** Arithmetic mean of finite values; NaN when none. */
export function mean(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length === 0 ? NaN : finite.reduce((a, b) => a + b, 0) / finite.length;
}

function clip(v: number): number {
  return Math.min(RELATIVE_ERROR_CLIP[1], Math.max(RELATIVE_ERROR_CLIP[0], v));
}

/** Ratios model/baseline per window for one metric; a zero baseline error with a zero model error counts as 1. */
function ratios(windows: readonly ScoredWindow[], m: number, b: number, key: 'mae' | 'mase' | 'wql', clipped: boolean): number[] {
  const out: number[] = [];
  for (const w of windows) {
    const model = w.scores[m]?.[key];
    const base = w.scores[b]?.[key];
    if (!Number.isFinite(model) || !Number.isFinite(base)) continue;
    const r = base === 0 ? (model === 0 ? 1 : Infinity) : model / base;
    out.push(clipped ? clip(r) : r);
  }
  return out;
}

/**
 * Summarises every method of a set of scored windows (all windows must list the same methods in the same
 * order). `baseline` is the method the ratios and skill scores are relative to (default: seasonal naive).
 */
export function summarize(windows: readonly ScoredWindow[], baseline = 'seasonal-naive'): MethodSummary[] {
  if (windows.length === 0) return [];
  const methods = windows[0].forecasts.map((f) => ({ method: f.method, label: f.label }));
  const b = methods.findIndex((m) => m.method === baseline);
  return methods.map((m, i) => {
    const scores = windows.map((w) => w.scores[i]);
    const skill = (key: 'mase' | 'wql') => (b < 0 ? NaN : 1 - geometricMean(ratios(windows, i, b, key, true)));
    return {
      method: m.method,
      label: windows.find((w) => !w.forecasts[i].failure)?.forecasts[i].label ?? m.label,
      windows: scores.filter((s) => Number.isFinite(s.mae)).length,
      mase: mean(scores.map((s) => s.mase)),
      wql: mean(scores.map((s) => s.wql)),
      coverage80: mean(scores.map((s) => s.coverage80)),
      relativeMae: b < 0 ? NaN : geometricMean(ratios(windows, i, b, 'mae', false)),
      skillMase: skill('mase'),
      skillWql: skill('wql'),
    };
  });
}
