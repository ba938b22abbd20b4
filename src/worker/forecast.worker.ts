// The Web Worker entry: the engine with the browser's onnxruntime-web, fetch and model cache (OPFS), served over
// `self` by the handler. All logic lives in engine.ts and handler.ts; this file only wires them together.
import * as ort from 'onnxruntime-web';
import { openBrowserModelCache } from '../hub/cache';
import { configureOrtEnv } from '../runtime/backend';
import { Engine } from './engine';
import { Handler } from './handler';

// NOTE: the DOM lib types `self` as a Window; in this file it is a DedicatedWorkerGlobalScope.
const scope = self as unknown as DedicatedWorkerGlobalScope;
configureOrtEnv(ort);
const handler = new Handler(new Engine({ ort, fetch: scope.fetch.bind(scope), modelCache: openBrowserModelCache() }), scope);
scope.addEventListener('message', (event) => handler.onMessage(event.data));
