// Markdown for the WebGPU section of docs/benchmarks.md, from a report of the WebGPU suite
// (src/bench/gpu-suite.ts) run on a GPU machine: adapter, parity on that adapter, matmul ceilings,
// series/s per model and shape with GFLOP/s against the best ceiling, fused vs plain, and the ratio to
// the upstream PyTorch CPU pipeline.
import type { GpuDiagnostics, GpuSuiteReport } from './gpu-suite';

const fmt = (x: number | undefined, digits = 1): string => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));

/**
 * Markdown tables of `report`; `upstream` gives PyTorch CPU series/s at B=32/T=512 per model; `ceiling` is the
 * transfer-free matmul ceiling (GFLOP/s) of the diagnostics run, when there is one.
 */
export function gpuReportMarkdown(
  report: GpuSuiteReport,
  machine: string,
  upstream: Record<string, { seriesPerSecondB32T512: number }>,
  ceiling?: number,
): string {
  const a = report.adapter;
  const lines: string[] = [];
  const build = report.ep === 'native' ? "ORT's native WebGPU EP (onnxruntime-web/webgpu)" : 'JSEP (onnxruntime-web)';
  lines.push(
    `**${build}** — run ${report.date} on ${machine}; adapter ${a ? `${a.vendor}${a.architecture ? ` / ${a.architecture}` : ''}${a.description ? ` / ${a.description}` : ''}` : 'none'}; ${report.userAgent.replace(/\s*\(.*?\)\s*/, ' ')}.`,
  );
  if (report.error) lines.push('', `The suite stopped early: ${report.error}`);
  if (!report.matmul.length) lines.push('', 'A shorter run (no parity or matmul), as the baseline of the run above on the same machine.');
  if (report.parity.length) {
    const worst = Math.max(...report.parity.map((p) => p.worst));
    lines.push(
      '',
      `Parity on this adapter (random-small, ${report.parity.length} golden cases, tolerance 1e-3 of max |expected|): ${report.parity.every((p) => p.passed) ? 'all passed' : 'FAILED'}, worst ${worst.toExponential(2)}.`,
    );
  }
  if (report.matmul.length) {
    lines.push('', '| one MatMul, input upload and output download included (transfer-bound on a GPU) | p50 ms | GFLOP/s |', '|---|---|---|');
    for (const m of report.matmul) lines.push(`| ${m.m}×${m.k} · ${m.k}×${m.n} | ${fmt(m.latency.p50, 2)} | ${fmt(m.gflops, 0)} |`);
  }
  lines.push(
    '',
    '| model | graph | B | T | H | series/s | p50 ms | p95 ms | GFLOP/s | % of matmul ceiling | × PyTorch CPU (B=32/T=512) |',
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

/** Markdown of the `ceiling` and `profile` diagnostics. */
export function gpuDiagnosticsMarkdown(d: GpuDiagnostics): string {
  const lines: string[] = [];
  if (d.floorMs !== undefined) lines.push(`- Per-call floor (a one-node graph, [1,16] Add, JSEP): p50 ${fmt(d.floorMs, 2)} ms.`);
  if (d.matmulChain) {
    const m = d.matmulChain;
    lines.push(
      `- Matmul ceiling without transfers: ${m.chain} × (${m.m}×${m.k}·${m.k}×${m.n} then ·${m.n}×${m.k}) in one graph, summed to one number: p50 ${fmt(m.latency.p50, 1)} ms, **${fmt(m.gflops, 0)} GFLOP/s** (JSEP).`,
    );
  }
  for (const f of d.forward as Array<(typeof d.forward)[number] & { graph?: string }>) {
    lines.push(`- chronos-2 ${f.graph ?? ''} B=${f.batch} T=${f.contextLength}: ${fmt(f.seriesPerSecond, 1)} series/s (p50 ${fmt(f.latency.p50, 0)} ms, ${fmt(f.gflops, 0)} GFLOP/s).`);
  }
  if (d.profiles.length) {
    lines.push('', '| profiled call (JSEP) | wall ms | GPU ms | kernels | largest kernel types (GPU ms / dispatches) |', '|---|---|---|---|---|');
    for (const p of d.profiles) {
      lines.push(
        `| ${p.model} ${p.graph} B=${p.batch} T=${p.contextLength} | ${fmt(p.wallMs, 1)} | ${fmt(p.gpuMs, 1)} | ${p.kernels} | ${p.byType
          .slice(0, 5)
          .map((t) => `${t.type} ${fmt(t.ms, 1)}/${t.count}`)
          .join(', ')} |`,
      );
    }
  }
  return lines.join('\n');
}
