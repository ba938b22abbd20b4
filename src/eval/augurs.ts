// The one place that loads augurs (grafana/augurs, Rust compiled to WebAssembly): its AutoETS, MSTL and
// seasonality-detection modules. Each module's WASM must be instantiated once before use: synchronously from
// bytes in Node (`initAugursSync`, see augurs-node.ts), asynchronously from URLs in a browser worker
// (`initAugurs`). The baselines check `augursReady()` and say so when it was not done.
import initEtsAsync, { AutoETS, initSync as initEtsSync } from '@bsull/augurs/ets';
import initMstlAsync, { MSTL, initSync as initMstlSync } from '@bsull/augurs/mstl';
import initSeasonsAsync, { initSync as initSeasonsSync, seasonalities } from '@bsull/augurs/seasons';

/** The WASM of each augurs module used: bytes or a compiled module (sync), or also a URL (async). */
export interface AugursWasm<T> {
  ets: T;
  mstl: T;
  seasons: T;
}

let ready = false;

/** Whether the augurs modules are instantiated. */
export function augursReady(): boolean {
  return ready;
}

/** Instantiates the augurs modules from their WASM bytes (Node, tests). Idempotent. */
export function initAugursSync(wasm: AugursWasm<BufferSource | WebAssembly.Module>): void {
  if (ready) return;
  initEtsSync({ module: wasm.ets });
  initMstlSync({ module: wasm.mstl });
  initSeasonsSync({ module: wasm.seasons });
  ready = true;
}

/** Instantiates the augurs modules from URLs (a browser worker; Vite `?url` imports). Idempotent. */
export async function initAugurs(wasm: AugursWasm<string | URL>): Promise<void> {
  if (ready) return;
  await Promise.all([
    initEtsAsync({ module_or_path: wasm.ets }),
    initMstlAsync({ module_or_path: wasm.mstl }),
    initSeasonsAsync({ module_or_path: wasm.seasons }),
  ]);
  ready = true;
}

export { AutoETS, MSTL, seasonalities };
