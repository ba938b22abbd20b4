// Writing model files so that an interruption never leaves a broken model behind: everything is written under a
// temporary name beside its destination (same file system, so the final rename is atomic), the temporary paths
// are removed again when the process is interrupted (SIGINT, SIGTERM, SIGHUP) or fails, and the renames into
// place happen back to back in synchronous calls, so no signal handler can run between them. Temporary names
// share one pattern, which the app's build (vite.config.ts) uses to keep them out of dist/.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** How a temporary file or folder of this module is named: `.<name>.tmp-<pid>` (or `.old-<pid>` while swapping). */
export const TEMP_NAME = /^\..+\.(tmp|old)-\d+$/;

/** The temporary name for `target` (in the same folder). */
export function tempPathFor(target: string, kind: 'tmp' | 'old' = 'tmp'): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${kind}-${process.pid}`);
}

const live = new Set<string>();
let handlersInstalled = false;
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

function removeLive(): void {
  for (const p of live) {
    try {
      rmSync(p, { recursive: true, force: true });
    } catch {
      // Best effort while exiting.
    }
  }
  live.clear();
}

/** Removes the temporary paths on SIGINT / SIGTERM / SIGHUP, then exits with the signal's usual code. */
function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const [signal, code] of Object.entries(SIGNAL_EXIT)) {
    process.once(signal as NodeJS.Signals, () => {
      const had = live.size > 0;
      removeLive();
      if (had) console.error(`\ninterrupted (${signal}): nothing was changed; the partly written files were removed`);
      process.exit(code);
    });
  }
  process.once('exit', removeLive);
}

/** Tracks a temporary path until {@link release}: it is removed if the process is interrupted. */
export function track(temp: string): void {
  installHandlers();
  live.add(temp);
}

/** Stops tracking a temporary path (it was renamed into place or removed). */
export function release(temp: string): void {
  live.delete(temp);
}

/**
 * Writes files into `dir` atomically as a set: each to a temporary name first, then all renamed into place back
 * to back, so the folder holds either the old files or the new ones, never a truncated file next to an old one.
 * Other files in `dir` are left alone.
 */
export async function writeFilesAtomically(dir: string, files: ReadonlyArray<{ name: string; bytes: Uint8Array | string }>): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const temps = files.map((f) => ({ target: path.join(dir, f.name), temp: tempPathFor(path.join(dir, f.name)), bytes: f.bytes }));
  try {
    for (const t of temps) {
      track(t.temp);
      await fs.writeFile(t.temp, t.bytes);
    }
    // Synchronous and back to back: a signal is handled only after the last rename.
    for (const t of temps) renameSync(t.temp, t.target);
  } finally {
    for (const t of temps) {
      if (existsSync(t.temp)) rmSync(t.temp, { force: true });
      release(t.temp);
    }
  }
}

/**
 * Fills a new folder at `dir` through `fill(temp)` and then swaps it into place: the old folder (if any) is moved
 * aside, the new one renamed to `dir`, the old one removed. An interrupted fill leaves `dir` as it was.
 */
export async function replaceFolderAtomically(dir: string, fill: (temp: string) => Promise<void>): Promise<void> {
  const temp = tempPathFor(dir);
  const old = tempPathFor(dir, 'old');
  track(temp);
  try {
    await fs.rm(temp, { recursive: true, force: true });
    await fs.mkdir(temp, { recursive: true });
    await fill(temp);
    track(old);
    // Synchronous and back to back (see writeFilesAtomically).
    const hadOld = existsSync(dir);
    if (hadOld) renameSync(dir, old);
    renameSync(temp, dir);
    release(old);
    if (hadOld) rmSync(old, { recursive: true, force: true });
  } finally {
    if (existsSync(temp)) rmSync(temp, { recursive: true, force: true });
    release(temp);
  }
}

/** Removes every temporary path of this module below `root` (what a killed process left); returns what it removed. */
export async function removeTempPaths(root: string): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (TEMP_NAME.test(entry.name)) {
        await fs.rm(full, { recursive: true, force: true });
        removed.push(full);
      } else if (entry.isDirectory()) {
        await walk(full);
      }
    }
  };
  await walk(root);
  return removed;
}
