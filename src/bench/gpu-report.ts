// Markdown for the WebGPU section of docs/benchmarks.md, from a report of the WebGPU suite
// (src/bench/gpu-suite.ts) run on a GPU machine: adapter, parity on that adapter, matmul ceilings,
// series/s per model and shape with GFLOP/s against the best ceiling, fused vs plain, and the ratio to
// the upstream PyTorch CPU pipeline.
import type { GpuSuiteReport } from './gpu-suite';

const fmt = (x: number | undefined, digits = 1): string => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));

/** Markdown tables of `report`; `upstream` gives PyTorch CPU series/s at B=32/T=512 per model. */
export function gpuReportMarkdown(
  report: GpuSuiteReport,
  machine: string,
  upstream: Record<string, { seriesPerSecondB32T512: number }>,
): string {
  const a = report.adapter;
  const lines: string[] = [];
  lines.push(
    `Run: ${report.date} on ${machine}; adapter ${a ? `${a.vendor} / ${a.architecture}${a.description ? ` / ${a.description}` : ''}` : 'none'}; ${report.userAgent.replace(/\s*\(.*?\)\s*/, ' ')}. Raw data: docs/benchmarks-webgpu.json.`,
  );
  if (report.error) lines.push('', `The suite stopped early: ${report.error}`);
  if (report.parity.length) {
    const worst = Math.max(...report.parity.map((p) => p.worst));
    lines.push(
      '',
      `Parity on this adapter (random-small, ${report.parity.length} golden cases, tolerance 1e-3 of max |expected|): ${report.parity.every((p) => p.passed) ? 'all passed' : 'FAILED'}, worst ${worst.toExponential(2)}.`,
    );
  }
  if (report.matmul.length) {
    lines.push('', '| matmul ceiling (one MatMul) | p50 ms | GFLOP/s |', '|---|---|---|');
    for (const m of report.matmul) lines.push(`| ${m.m}×${m.k} · ${m.k}×${m.n} | ${fmt(m.latency.p50, 2)} | ${fmt(m.gflops, 0)} |`);
  }
  const ceiling = Math.max(0, ...report.matmul.map((m) => m.gflops));
  lines.push(
    '',
    '| model | graph | B | T | H | series/s | p50 ms | p95 ms | GFLOP/s | % of best matmul | × PyTorch CPU (B=32/T=512) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const run of report.runs) {
    if (run.error && !run.results.length) {
      lines.push(`| ${run.model} | ${run.graph} | | | | failed: ${run.error} | | | | | |`);
      continue;
    }
    for (const r of run.results) {
      const up = r.batch === 32 && r.contextLength === 512 ? upstream[run.model]?.seriesPerSecondB32T512 : undefined;
      lines.push(
        `| ${run.model} | ${run.graph}${run.outputsOnGpu ? ', outputs kept on GPU' : ''} | ${r.batch} | ${r.contextLength} | ${r.horizon} | ${fmt(r.seriesPerSecond, 1)} | ${fmt(r.latency.p50, 1)} | ${fmt(r.latency.p95, 1)} | ${fmt(r.gflops, 0)} | ${ceiling ? fmt((100 * r.gflops) / ceiling, 0) : '–'} | ${up ? fmt(r.seriesPerSecond / up, 1) : ''} |`,
      );
    }
  }
  const sessions = report.runs.filter((r) => r.sessionMs > 0).map((r) => `${r.model} ${r.graph}: conversion in the page ${fmt(r.convertMs / 1000, 1)} s, session + warm-up ${fmt(r.sessionMs / 1000, 1)} s`);
  if (sessions.length) lines.push('', `Start-up (${sessions.join('; ')}).`);
  return lines.join('\n');
}
