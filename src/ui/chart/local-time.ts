// How the chart shows the times of data below a day whose timestamps carried UTC offsets (hourly `…+02:00`):
// such data is kept as UTC instants (src/data/time-axis.ts), and the chart's ticks, readout, caption and
// description show it on the input's local clock, with the offset named, instead of in UTC.
import { formatTimestamp } from '../../data/timestamps';
import { offsetAt, type TimeAxis } from '../../data/time-axis';

const MINUTE = 60_000;

/** Local-time display of an axis: the offset at an instant (minutes east of UTC) and an instant's label. */
export interface LocalTime {
  offsetAt: (ts: number) => number | undefined;
  format: (ts: number) => string;
}

/** `+02:00`, `-05:30`, `±00:00` → `UTC`. */
function zone(minutes: number): string {
  if (minutes === 0) return 'UTC';
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * The local-time display of `axis`, or undefined where times are shown as they are: no offsets in the input, or
 * daily and coarser data (already placed on the local calendar, `wallClock`).
 */
export function localTimeOf(axis: TimeAxis | undefined): LocalTime | undefined {
  if (!axis || axis.wallClock || axis.offsets.length === 0 || axis.frequency.unit === 'step') return undefined;
  const at = (ts: number): number | undefined => offsetAt(axis, ts);
  return {
    offsetAt: at,
    format: (ts) => {
      const minutes = at(ts) ?? 0;
      return `${formatTimestamp(ts + minutes * MINUTE, axis.frequency)} ${zone(minutes)}`;
    },
  };
}
