// Ticks and domain of the chart's value axis, computed here in plain float arithmetic: recharts' own "nice"
// ticks for an 'auto' domain go through decimal.js (30 ms of main thread in one profile of the first airline
// forecast on this 2-core machine).
// Same idea (round steps of 1, 2, 2.5 or 5 × 10^k, a domain that starts and ends on a tick).

/** Domain and ticks of a value axis. */
export interface ValueAxis {
  domain: [number, number];
  ticks: number[];
}

const STEPS = [1, 2, 2.5, 5, 10];

/** The smallest round step (1, 2, 2.5, 5 × 10^k) of at least `raw`. */
function roundStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = STEPS.find((s) => s * power >= raw * (1 - 1e-12)) ?? 10;
  return step * power;
}

/** Rounds away the float noise of `lo + i * step` (so ticks read 0.3, not 0.30000000000000004). */
function clean(value: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  return Number(value.toFixed(Math.min(20, digits)));
}

/**
 * Round ticks covering [min, max] with about `count` ticks (at most count + 2), the domain from the first tick to
 * the last. Null when there is no finite value or the span overflows (the chart then lets recharts choose); a flat
 * series, or one whose span is below float precision at its magnitude, gets a band around its value.
 */
export function valueAxis(min: number, max: number, count = 5): ValueAxis | null {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max || !Number.isFinite(max - min)) return null;
  if (max - min <= Math.max(Math.abs(min), Math.abs(max)) * 1e-9) {
    const pad = max === 0 && min === 0 ? 1 : Math.max(Math.abs(min), Math.abs(max)) * 0.1;
    min -= pad;
    max += pad;
  }
  let step = roundStep((max - min) / Math.max(1, count - 1));
  let lo = Math.floor(min / step) * step;
  let hi = Math.ceil(max / step) * step;
  // Rounding out both ends can add a tick or two; a bigger step keeps the count near the one asked for.
  while ((hi - lo) / step > count + 1) {
    step = roundStep(step * 1.01);
    lo = Math.floor(min / step) * step;
    hi = Math.ceil(max / step) * step;
  }
  if (!Number.isFinite(hi - lo)) return null;
  const ticks: number[] = [];
  const n = Math.round((hi - lo) / step);
  for (let i = 0; i <= n; i++) ticks.push(clean(lo + i * step, step));
  return { domain: [ticks[0], ticks[ticks.length - 1]], ticks };
}
