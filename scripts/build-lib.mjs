// Builds the package's library (lib/): `tsc -p tsconfig.lib.json`, then rewrites every relative import of the
// emitted .js and .d.ts files to a full file name ('./x' → './x.js' or './x/index.js'), because the sources use
// bundler-style extensionless imports and Node's ESM loader (and TypeScript's node16 resolution) need the file.
// Fails if the library would import the app (src/state, src/ui) or a dev-only package.
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = path.join(root, 'lib');
const DEV_ONLY = ['tsx', 'vite', 'vitest', '@playwright/test', 'playwright', 'react', 'react-dom', 'recharts', 'zustand'];

await fs.rm(out, { recursive: true, force: true });
execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.lib.json')], { stdio: 'inherit' });

async function* files(dir) {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else if (/\.(js|d\.ts)$/.test(entry.name)) yield full;
  }
}

const problems = [];
let count = 0;
for await (const file of files(out)) {
  count += 1;
  const rel = path.relative(out, file);
  if (/^(state|ui)[\\/]/.test(rel)) problems.push(`${rel}: the library must not include the app (src/state, src/ui)`);
  const text = await fs.readFile(file, 'utf8');
  const rewritten = text.replace(
    /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g,
    (whole, lead, quote, spec) => {
      if (/\.(m?js|json)$/.test(spec)) return whole;
      const base = path.resolve(path.dirname(file), spec);
      const target = existsSync(`${base}.js`) || existsSync(`${base}.d.ts`) ? `${spec}.js` : existsSync(path.join(base, 'index.js')) ? `${spec}/index.js` : null;
      if (target === null) {
        problems.push(`${rel}: cannot resolve ${spec}`);
        return whole;
      }
      return `${lead}${quote}${target}${quote}`;
    },
  );
  for (const m of rewritten.matchAll(/\bfrom\s*['"]([^'".][^'"]*)['"]/g)) {
    const pkg = m[1].startsWith('@') ? m[1].split('/').slice(0, 2).join('/') : m[1].split('/')[0];
    if (DEV_ONLY.includes(pkg)) problems.push(`${rel}: imports the dev-only package ${pkg}`);
  }
  if (rewritten !== text) await fs.writeFile(file, rewritten);
}
if (problems.length > 0) {
  console.error(`build-lib: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
await fs.chmod(path.join(out, 'cli', 'chronos-web.js'), 0o755);
console.log(`build-lib: ${count} files in lib/`);
