// Loads augurs' WASM from the installed npm package in Node (CLI, `npm run eval`, unit tests). Kept apart from
// augurs.ts so that browser bundles never see `node:fs`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { initAugursSync } from './augurs';

/** Instantiates augurs from `node_modules/@bsull/augurs/*_bg.wasm`. Idempotent. */
export function initAugursNode(): void {
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('@bsull/augurs/ets'));
  const read = (name: string) => readFileSync(path.join(dir, `${name}_bg.wasm`));
  initAugursSync({ ets: read('ets'), mstl: read('mstl'), seasons: read('seasons') });
}
