// The registry of installed models, `models/index.json`: which converted model folders the app serves, with what
// it shows before loading one (parameters, size) and which one it opens by default. Adding a model is adding an
// entry (the `npm run model` CLI does it); the app, the CLIs and the service worker's precache all read this file.
// Browser and Node alike: validation of the untrusted JSON only, no I/O.

/** Current registry format version. */
export const REGISTRY_VERSION = 1;

/** One installed model: a folder under `models/` holding manifest.json + model.onnx. */
export interface RegistryEntry {
  /** Unique name, used in `?model=<name>`; usually the folder name. */
  name: string;
  /** Folder under `models/` (a plain name, no slashes). */
  folder: string;
  /** Number of model parameters. */
  parameters: number;
  /** Size of the ONNX file in bytes (what the browser downloads). */
  size: number;
  /** The model the app opens when nothing else is asked for (at most one entry). */
  default?: boolean;
  /** What the model is, for people (e.g. "amazon/chronos-2, fp16 weights"). */
  description?: string;
  /** Where it came from (Hugging Face repo id or checkpoint folder). */
  source?: string;
  /** How weight matrices are stored; absent means float32. */
  weights?: 'float32' | 'float16';
}

/** The whole registry file. */
export interface ModelRegistry {
  version: typeof REGISTRY_VERSION;
  models: RegistryEntry[];
}

/** `models/index.json` is malformed; the message names the file and the entry. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}

/** A folder or model name that is safe in a URL path and on disk. */
export function isPlainName(value: unknown): value is string {
  return typeof value === 'string' && /^[\w][\w.-]*$/.test(value) && !value.includes('..') && value.length <= 128;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a parsed `models/index.json`.
 * @throws RegistryError naming the first offending entry and field
 */
export function parseRegistry(json: unknown, source = 'models/index.json'): ModelRegistry {
  if (!isRecord(json)) throw new RegistryError(`${source}: expected a JSON object with a "models" array`);
  if (json.version !== REGISTRY_VERSION) {
    throw new RegistryError(`${source}: unsupported version ${JSON.stringify(json.version)} (expected ${REGISTRY_VERSION})`);
  }
  if (!Array.isArray(json.models)) throw new RegistryError(`${source}: "models" must be an array`);
  const names = new Set<string>();
  const models = json.models.map((raw: unknown, i: number): RegistryEntry => {
    const where = `${source}: models[${i}]`;
    if (!isRecord(raw)) throw new RegistryError(`${where} must be an object`);
    if (!isPlainName(raw.name)) throw new RegistryError(`${where}.name must be a plain name (letters, digits, . _ -), found ${JSON.stringify(raw.name)}`);
    if (!isPlainName(raw.folder)) throw new RegistryError(`${where}.folder must be a plain folder name, found ${JSON.stringify(raw.folder)}`);
    if (names.has(raw.name)) throw new RegistryError(`${where}: the name "${raw.name}" appears twice`);
    names.add(raw.name);
    for (const key of ['parameters', 'size'] as const) {
      if (!Number.isSafeInteger(raw[key]) || (raw[key] as number) <= 0) throw new RegistryError(`${where}.${key} must be a positive integer`);
    }
    if (raw.default !== undefined && typeof raw.default !== 'boolean') throw new RegistryError(`${where}.default must be true or false`);
    for (const key of ['description', 'source'] as const) {
      if (raw[key] !== undefined && typeof raw[key] !== 'string') throw new RegistryError(`${where}.${key} must be a string`);
    }
    if (raw.weights !== undefined && raw.weights !== 'float32' && raw.weights !== 'float16') {
      throw new RegistryError(`${where}.weights must be "float32" or "float16"`);
    }
    const entry: RegistryEntry = { name: raw.name, folder: raw.folder, parameters: raw.parameters as number, size: raw.size as number };
    if (raw.default === true) entry.default = true;
    if (typeof raw.description === 'string') entry.description = raw.description;
    if (typeof raw.source === 'string') entry.source = raw.source;
    if (raw.weights === 'float32' || raw.weights === 'float16') entry.weights = raw.weights;
    return entry;
  });
  if (models.filter((m) => m.default).length > 1) throw new RegistryError(`${source}: more than one model is marked "default": true`);
  return { version: REGISTRY_VERSION, models };
}

/** The model the app opens by default: the entry marked `default`, else the first; undefined for an empty registry. */
export function defaultEntry(registry: ModelRegistry): RegistryEntry | undefined {
  return registry.models.find((m) => m.default) ?? registry.models[0];
}

/** The entry called `name` (or, failing that, the one in folder `name`). */
export function findEntry(registry: ModelRegistry, name: string): RegistryEntry | undefined {
  return registry.models.find((m) => m.name === name) ?? registry.models.find((m) => m.folder === name);
}

/**
 * The registry with `entry` added, or replacing the entry of the same name; with `entry.default` set, the other
 * entries lose their default flag. Order is kept (a new entry goes last).
 */
export function upsertEntry(registry: ModelRegistry, entry: RegistryEntry): ModelRegistry {
  const others = registry.models.map((m) => (entry.default && m.default ? withoutDefault(m) : m));
  const index = others.findIndex((m) => m.name === entry.name);
  const models = index >= 0 ? others.map((m, i) => (i === index ? entry : m)) : [...others, entry];
  return { version: REGISTRY_VERSION, models };
}

function withoutDefault(entry: RegistryEntry): RegistryEntry {
  const copy = { ...entry };
  delete copy.default;
  return copy;
}
