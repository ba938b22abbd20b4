// Frequencies as users type them: words (`monthly`, `quarterly`, `daily`, `hourly`), multiples (`15min`,
// `2h`, `15-minute`), and the pandas offset aliases the Python ecosystem writes (`MS`, `M`, `ME`, `QS`, `Q`,
// `Y`, `A`, `W`, `D`, `h`, `min`, `s`). For the CLI's `--frequency` and the app's frequency choice.
import { makeFrequency, type Frequency, type FrequencyUnit } from './timestamps';

const WORDS: Record<string, [FrequencyUnit, ('start' | 'end')?]> = {
  yearly: ['year'], annual: ['year'], annually: ['year'], year: ['year'], y: ['year'], ys: ['year'], a: ['year', 'end'],
  as: ['year'], ye: ['year', 'end'], 'y-dec': ['year', 'end'], 'a-dec': ['year', 'end'],
  quarterly: ['quarter'], quarter: ['quarter'], q: ['quarter', 'end'], qs: ['quarter'], qe: ['quarter', 'end'],
  'q-dec': ['quarter', 'end'], 'qs-jan': ['quarter'],
  monthly: ['month'], month: ['month'], m: ['month', 'end'], ms: ['month'], me: ['month', 'end'],
  weekly: ['week'], week: ['week'], w: ['week'], 'w-sun': ['week'], 'w-mon': ['week'],
  daily: ['day'], day: ['day'], d: ['day'],
  hourly: ['hour'], hour: ['hour'], h: ['hour'],
  minutely: ['minute'], minute: ['minute'], min: ['minute'], t: ['minute'],
  secondly: ['second'], second: ['second'], s: ['second'],
};

/** Names accepted by {@link parseFrequency}, for help texts. */
export const FREQUENCY_HELP = 'yearly, quarterly, monthly, weekly, daily, hourly, 15min, 30min, 2h (or pandas: Y, Q, MS, M, W, D, h, min, s)';

/** Parses a frequency name or pandas alias (with an optional multiple, `15min`, `2h`, `15-minute`); null when unknown. */
export function parseFrequency(text: string): Frequency | null {
  const m = /^\s*(\d+)?\s*-?\s*([A-Za-z-]+)\s*$/.exec(text);
  if (!m) return null;
  const step = m[1] === undefined ? 1 : Number(m[1]);
  if (!Number.isSafeInteger(step) || step < 1 || step > 100_000) return null;
  const raw = m[2];
  // pandas: 'M' is month end, 'min'/'T' minutes; words are case-insensitive.
  const key = raw === 'M' || raw === 'ME' ? raw.toLowerCase() : raw.toLowerCase();
  const hit = WORDS[key];
  if (!hit) return null;
  return makeFrequency(hit[0], step, hit[1]);
}
