// The Web Worker entry: the engine with the browser's onnxruntime-web (the JSEP build for WASM, the native WebGPU
// EP build for WebGPU), fetch and model cache (OPFS), served over `self` by the handler. All logic lives in
// engine.ts and handler.ts; this file only wires them together.
import * as ort from 'onnxruntime-web';
import { openBrowserModelCache } from '../hub/cache';
import { configureOrtEnv } from '../runtime/backend';
import { loadWebGpuOrt } from '../runtime/webgpu-runtime';
import { holdLifeline } from './lifeline';
import { Engine } from './engine';
import { Handler } from './handler';

// NOTE: the DOM lib types `self` as a Window; in this file it is a DedicatedWorkerGlobalScope.
const scope = self as unknown as DedicatedWorkerGlobalScope;
configureOrtEnv(ort);
const handler = new Handler(new Engine({ ort, webgpuOrt: loadWebGpuOrt, fetch: scope.fetch.bind(scope), modelCache: openBrowserModelCache() }), scope);
scope.addEventListener('message', (event) => handler.onMessage(event.data));
// Lets the client notice at once when this worker ends without an error event (terminated, killed).
holdLifeline(scope, scope.navigator.locks);
