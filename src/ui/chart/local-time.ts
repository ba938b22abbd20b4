// How the chart shows the times of data below a day whose timestamps carried UTC offsets (hourly `…+02:00`):
// such data is kept as UTC instants (src/data/time-axis.ts), and the chart's ticks, readout, caption and
// description show it on the input's local clock, with the offset named, instead of in UTC.
import { formatTimestamp } from '../../data/timestamps';
import { offsetAt, zoneText, type TimeAxis } from '../../data/time-axis';

const MINUTE = 60_000;

/** Local-time display of an axis: the offset at an instant (minutes east of UTC) and an instant's label. */
export interface LocalTime {
  offsetAt: (ts: number) => number | undefined;
  format: (ts: number) => string;
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
      // "2024-06-01 14:00 UTC+02:00" (or "… UTC" at offset 0).
      return `${formatTimestamp(ts + minutes * MINUTE, axis.frequency)} UTC${minutes === 0 ? '' : zoneText(minutes, '+00:00')}`;
    },
  };
}
