// The service's metrics in the Prometheus text exposition format (version 0.0.4): counters, gauges and
// histograms with labels, kept in memory and rendered on `GET /metrics`. Small on purpose: the service needs
// a handful of series, not a client library.

type Labels = Readonly<Record<string, string>>;

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function keyOf(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
}

interface Metric {
  render(): string;
}

/** A monotonically increasing count per label set. */
export class Counter implements Metric {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = keyOf(labels);
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }
  /** The current value for a label set (0 when never incremented). */
  get(labels: Labels = {}): number {
    return this.values.get(keyOf(labels))?.value ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.values.values()) lines.push(`${this.name}${labelText(labels)} ${value}`);
    return lines.join('\n');
  }
}

/** A value read when the metrics are rendered. */
export class Gauge implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => number,
  ) {}
  render(): string {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, `${this.name} ${this.read()}`].join('\n');
  }
}

/** Observations counted into cumulative buckets, with their sum and count. */
export class Histogram implements Metric {
  private readonly series = new Map<string, { labels: Labels; buckets: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly bounds: readonly number[],
  ) {}
  observe(value: number, labels: Labels = {}): void {
    const key = keyOf(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, buckets: this.bounds.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    this.bounds.forEach((bound, i) => {
      if (value <= bound) s.buckets[i] += 1;
    });
    s.sum += value;
    s.count += 1;
  }
  /** Observations so far for a label set. */
  count(labels: Labels = {}): number {
    return this.series.get(keyOf(labels))?.count ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      this.bounds.forEach((bound, i) => lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: String(bound) })} ${s.buckets[i]}`));
      lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${s.sum}`);
      lines.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines.join('\n');
  }
}

/** The metrics of one forecasting service. */
export class ServiceMetrics {
  readonly requests = new Counter('chronos_http_requests_total', 'HTTP requests by route and status code.');
  readonly latency = new Histogram(
    'chronos_http_request_duration_seconds',
    'Time from request arrival to the last byte of the response, by route.',
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  );
  readonly series = new Counter('chronos_series_forecast_total', 'Time series forecast (inputs of successful invocations).');
  readonly rejected = new Counter('chronos_requests_rejected_total', 'Invocations refused before forecasting, by reason.');
  readonly aborted = new Counter('chronos_requests_aborted_total', 'Invocations whose client disconnected before the answer.');
  readonly modelCalls = new Counter('chronos_model_calls_total', 'Forward calls of the model (batched requests share calls).');
  readonly batchRows = new Histogram(
    'chronos_model_batch_rows',
    'Rows (series and covariates of all batched requests) per model call.',
    [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
  );
  private readonly all: Metric[];

  constructor(inFlight: () => number) {
    this.all = [
      this.requests,
      this.latency,
      this.series,
      this.rejected,
      this.aborted,
      this.modelCalls,
      this.batchRows,
      new Gauge('chronos_inflight_requests', 'Invocations accepted and not yet answered.', inFlight),
    ];
  }

  /** The exposition text. */
  render(): string {
    return `${this.all.map((m) => m.render()).join('\n')}\n`;
  }
}
