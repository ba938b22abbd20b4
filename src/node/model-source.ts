// Turns what a Node user names as a model — a folder (converted model or Hugging Face checkpoint), an http(s)
// URL of a converted model folder, or a hub repository id such as amazon/chronos-2 — into an engine model source,
// with the model cache in the user's cache directory for hub models. No argument: the bundled default model.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ModelCache } from '../hub/cache';
import type { ModelSourceSpec } from '../worker/engine-api';
import type { WeightStorage } from '../model/onnx/fp16';
import { fsCacheBackend } from './fs-cache-backend';
import { isCheckpointDir, readConvertedDir, MAX_MODEL_FILE_BYTES } from './model-files';
import { defaultModelDir } from './model-registry';

/** A resolved model source and a short description of it for logs. */
export interface NodeModelSource {
  source: ModelSourceSpec;
  description: string;
}

/**
 * Folder of the model cache: `$CHRONOS_WEB_CACHE`, else `$XDG_CACHE_HOME/chronos-web`, else the platform's user
 * cache folder (`~/.cache`, `~/Library/Caches`, `%LOCALAPPDATA%`) + `/chronos-web`.
 */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHRONOS_WEB_CACHE) return path.resolve(env.CHRONOS_WEB_CACHE);
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, 'chronos-web');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'chronos-web');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, 'chronos-web', 'Cache');
  return path.join(os.homedir(), '.cache', 'chronos-web');
}

/** The model cache in {@link userCacheDir} (or `dir`). */
export function nodeModelCache(dir: string = userCacheDir()): ModelCache {
  return new ModelCache(fsCacheBackend(path.join(dir, 'models')));
}

/** Options of {@link resolveModelSource}. */
export interface ResolveModelOptions {
  /** Weight storage when a checkpoint is converted. */
  weights?: WeightStorage;
  /** Hub mirror (default: $HF_ENDPOINT, else huggingface.co). */
  hubUrl?: string;
  /** Token for gated repositories (default: $HF_TOKEN). */
  token?: string;
  revision?: string;
}

const REPO_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

/**
 * Resolves a model argument. An existing path wins over a repository id of the same spelling.
 * @throws Error naming the argument when it is neither a model folder, a URL nor a repository id.
 */
export async function resolveModelSource(spec: string | undefined, options: ResolveModelOptions = {}): Promise<NodeModelSource> {
  if (spec === undefined || spec === '') return folderSource(await defaultModelDir(), options);
  if (/^https?:\/\//i.test(spec)) return { source: { kind: 'url', url: spec.endsWith('/') ? spec : `${spec}/` }, description: spec };
  const stat = await fs.stat(spec).catch(() => null);
  if (stat?.isDirectory()) return folderSource(spec, options);
  if (stat) throw new Error(`${spec}: a model is a folder (model.onnx + manifest.json, or config.json + model.safetensors), not a file`);
  if (REPO_ID.test(spec)) {
    const hubUrl = options.hubUrl ?? process.env.HF_ENDPOINT;
    const token = options.token ?? process.env.HF_TOKEN;
    return {
      source: {
        kind: 'hub',
        repo: spec,
        ...(options.revision !== undefined ? { revision: options.revision } : {}),
        ...(hubUrl ? { hubUrl } : {}),
        ...(token ? { token } : {}),
        ...(options.weights ? { weights: options.weights } : {}),
      },
      description: `${spec} (Hugging Face hub${hubUrl ? ` at ${hubUrl}` : ''})`,
    };
  }
  throw new Error(`${spec}: no such folder, and not a hub repository id such as amazon/chronos-2`);
}

async function folderSource(dir: string, options: ResolveModelOptions): Promise<NodeModelSource> {
  const name = path.basename(path.resolve(dir));
  // A folder with both (the bundled model) is used as converted: no conversion at start.
  const converted = await fs.stat(path.join(dir, 'manifest.json')).then((s) => s.isFile(), () => false);
  if (!converted && (await isCheckpointDir(dir))) {
    const configText = await fs.readFile(path.join(dir, 'config.json'), 'utf8').catch(() => {
      throw new Error(`${dir}: a checkpoint folder needs config.json next to model.safetensors`);
    });
    const stat = await fs.stat(path.join(dir, 'model.safetensors'));
    if (stat.size > MAX_MODEL_FILE_BYTES) throw new Error(`${dir}/model.safetensors: ${stat.size} bytes is larger than the limit of ${MAX_MODEL_FILE_BYTES} bytes`);
    const buf = await fs.readFile(path.join(dir, 'model.safetensors'));
    return {
      source: { kind: 'checkpoint', name, configText, safetensors: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), weights: options.weights ?? 'float32' },
      description: `${dir} (checkpoint, converted at start)`,
    };
  }
  const { onnx, manifest } = await readConvertedDir(dir);
  return { source: { kind: 'onnx', onnx, manifest }, description: `${dir} (${manifest.name})` };
}
