// The WebGPU section of docs/benchmarks.md is generated from device reports: these tests feed the committed H200
// reports (docs/benchmarks-webgpu.json) through the generator and check the figures land in the right cells, and
// that software adapters are never mistaken for a GPU.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gpuDiagnosticsMarkdown, gpuReportMarkdown } from '../../src/bench/gpu-report';
import { isSoftwareAdapter, type AdapterReport, type GpuDiagnostics, type GpuSuiteReport } from '../../src/bench/gpu-suite';

const data = JSON.parse(readFileSync(path.resolve(__dirname, '../../docs/benchmarks-webgpu.json'), 'utf8')) as {
  machine: string;
  reports: GpuSuiteReport[];
  diagnostics: GpuDiagnostics[];
};
const upstream = { 'chronos-2': { seriesPerSecondB32T512: 7.25 }, 'chronos-2-small': { seriesPerSecondB32T512: 26.3 } };

describe('WebGPU report markdown', () => {
  it('puts series/s, the share of the matmul ceiling and the ratio to PyTorch in the row of each shape', () => {
    const native = data.reports.find((r) => r.ep === 'native');
    const ceiling = data.diagnostics.find((d) => d.matmulChain)?.matmulChain?.gflops;
    expect(native).toBeDefined();
    expect(ceiling).toBeGreaterThan(1000);
    const md = gpuReportMarkdown(native!, data.machine, upstream, ceiling);
    const b32 = native!.runs[0].results.find((r) => r.batch === 32 && r.contextLength === 512)!;
    const share = ((100 * b32.gflops) / ceiling!).toFixed(0);
    const ratio = (b32.seriesPerSecond / 7.25).toFixed(1);
    expect(md).toContain(`| chronos-2 | fused | 32 | 512 | 64 | ${b32.seriesPerSecond.toFixed(1)} | ${b32.latency.p50.toFixed(1)} |`);
    expect(md).toMatch(new RegExp(`\\| ${b32.gflops.toFixed(0)} \\| ${share} \\| ${ratio} \\|`));
    expect(md).toContain("ORT's native WebGPU EP");
    expect(md).toMatch(/all passed, worst 9\.04e-7/);
  });

  it('lists the floor, the ceiling and the kernel profile of the diagnostics', () => {
    const md = data.diagnostics.map((d) => gpuDiagnosticsMarkdown(d)).join('\n');
    expect(md).toMatch(/Per-call floor .*p50 1\.69 ms/);
    expect(md).toMatch(/\*\*10720 GFLOP\/s\*\*/);
    expect(md).toMatch(/\| chronos-2 fused B=1 T=512 \| 49\.1 \| 8\.9 \| 414 \| MatMul 6\.3\/126/);
  });
});

describe('isSoftwareAdapter', () => {
  const adapter = (over: Partial<AdapterReport>): AdapterReport => ({
    vendor: '',
    architecture: '',
    device: '',
    description: '',
    isFallbackAdapter: false,
    maxBufferSize: 0,
    maxStorageBufferBindingSize: 0,
    features: [],
    ...over,
  });
  it('recognises SwiftShader and llvmpipe, and accepts a real vendor', () => {
    expect(isSoftwareAdapter(adapter({ vendor: 'google', architecture: 'swiftshader' }))).toBe(true);
    expect(isSoftwareAdapter(adapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }))).toBe(true);
    expect(isSoftwareAdapter(adapter({ vendor: 'nvidia', isFallbackAdapter: true }))).toBe(true);
    expect(isSoftwareAdapter(adapter({ vendor: 'nvidia' }))).toBe(false);
  });
});
