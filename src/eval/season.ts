// Which season a baseline and the MASE use: the one the user gave, else the dominant cycle of the data's
// frequency (12 for monthly, 4 for quarterly, 7 for daily, ...), else, for plain steps, the period augurs'
// periodogram finds in the series (when it is loaded and the series holds two such cycles), else 1.
import { augursReady, seasonalities } from './augurs';
import { fillGaps } from './baselines';
import { seasonLength, type Frequency } from '../data/timestamps';

/** The season chosen and why. */
export interface SeasonChoice {
  season: number;
  source: 'given' | 'frequency' | 'estimated' | 'none';
  /** For users: 'm = 12 (monthly)', 'm = 7 (estimated)', ... */
  description: string;
}

/**
 * Picks the season of a set of series.
 * @param given The user's season (CLI `--season`, the app's setting), when any.
 * @param series Histories to estimate from when the frequency says nothing (step data).
 */
export function chooseSeason(frequency: Frequency, given?: number, series: readonly ArrayLike<number>[] = []): SeasonChoice {
  if (given !== undefined && Number.isSafeInteger(given) && given >= 1) {
    return { season: given, source: 'given', description: `m = ${given} (given)` };
  }
  if (frequency.unit !== 'step') {
    const season = seasonLength(frequency);
    return { season, source: 'frequency', description: `m = ${season} (${frequency.label})` };
  }
  if (augursReady()) {
    const counts = new Map<number, number>();
    for (const s of series.slice(0, 50)) {
      const y = fillGaps(s);
      if (y.length < 8) continue;
      try {
        const found = [...seasonalities(y)].filter((p) => p >= 2 && 2 * p <= y.length);
        if (found.length > 0) counts.set(found[0], (counts.get(found[0]) ?? 0) + 1);
      } catch {
        // a series augurs cannot analyse says nothing about the season
      }
    }
    let best = 0;
    let bestCount = 0;
    for (const [p, c] of counts) if (c > bestCount || (c === bestCount && p < best)) [best, bestCount] = [p, c];
    if (best >= 2) return { season: best, source: 'estimated', description: `m = ${best} (estimated from the data)` };
  }
  return { season: 1, source: 'none', description: 'm = 1 (no frequency, no season found)' };
}
