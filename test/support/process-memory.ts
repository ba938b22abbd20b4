// Measures the memory of Chromium's renderer processes (where a page and its workers live) from outside, for the
// browser tests that state peak memory: process ids from the DevTools protocol (SystemInfo.getProcessInfo), and
// resident set size and its peak (VmRSS, VmHWM) from Linux's /proc, with the peak reset through clear_refs.
// Linux only; callers skip the measurement elsewhere.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Browser } from '@playwright/test';

/** Resident and peak resident memory of one process, bytes. */
export interface ProcessMemory {
  pid: number;
  rss: number;
  peak: number;
}

/** Whether /proc can be read here. */
export function canMeasureProcesses(): boolean {
  return existsSync('/proc/self/status');
}

/** Ids of the browser's renderer processes. */
export async function rendererPids(browser: Browser): Promise<number[]> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
    return processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
  } finally {
    await cdp.detach();
  }
}

/** VmRSS and VmHWM of a process (null when it has exited). */
export function processMemory(pid: number): ProcessMemory | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { pid, rss: field('VmRSS'), peak: field('VmHWM') };
}

/** Resets the peak (VmHWM) of processes to their current RSS. */
export function resetPeaks(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
    } catch {
      // The process exited, or /proc is read-only here: its peak is then since its start.
    }
  }
}

/** The renderer with the largest peak since the last reset (the one running the model). */
export function largestPeak(pids: readonly number[]): ProcessMemory | null {
  return pids.map(processMemory).reduce<ProcessMemory | null>((best, m) => (m && (!best || m.peak > best.peak) ? m : best), null);
}

/** "1,234 MB" */
export function mb(bytes: number): string {
  return `${Math.round(bytes / 1e6).toLocaleString('en-US')} MB`;
}
