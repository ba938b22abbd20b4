// Finds a system Chromium for Playwright (we never download browsers: `playwright install` cannot
// reach its CDN here). Order: $CHROMIUM_PATH, Debian/Ubuntu/Fedora/macOS locations, then PATH.
// Run directly, it prints the path or explains how to install one and exits 1.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/** Absolute path of a Chromium/Chrome executable, or undefined. */
export function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  for (const c of CANDIDATES) if (existsSync(c)) return c;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      const p = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (p) return p;
    } catch {
      // not on PATH
    }
  }
  return undefined;
}

export const INSTALL_HINT =
  'No Chromium found. Install one with `sudo apt-get install -y chromium` (Debian/Ubuntu), ' +
  'or run `bash scripts/ensure-chromium.sh`, or set CHROMIUM_PATH to a Chromium/Chrome executable.';

if (import.meta.url === `file://${process.argv[1]}`) {
  const p = findChromium();
  if (p) console.log(p);
  else {
    console.error(INSTALL_HINT);
    process.exit(1);
  }
}
