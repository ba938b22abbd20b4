// Number and size formatting for what people read on screen (exports use their own, lossless formats).

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** A value for display: up to `digits` significant digits, compact (1.2K) for large magnitudes; '–' if missing. */
export function formatNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 1e5) return compact.format(value);
  if (abs !== 0 && abs < 1e-3) return value.toExponential(1);
  return String(Number(value.toPrecision(digits)));
}

/** A quantile level as a label: 0.1 → "q0.1". */
export function formatQuantileLevel(level: number): string {
  return `q${Number(level.toFixed(6))}`;
}

/** A byte count: "384 KB", "1.2 MB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '–';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/** A parameter count: 79,072 → "79.1K", 120M → "120M". */
export function formatCount(count: number): string {
  return count < 1000 ? String(count) : compact.format(count);
}

/** A duration in ms: "85 ms", "1.4 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** An integer with thousands separators. */
export function formatInteger(n: number): string {
  return n.toLocaleString('en-US');
}

/** A transfer speed: "85.2 MB/s". */
export function formatSpeed(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}
