// Where the Node CLIs find the bundled default model: the entry marked default in
// public/models/index.json (the registry the app reads), else the first entry, else random-small.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
/** Folder of the app's bundled models. */
export const MODELS_DIR = path.join(REPO, 'public/models');

interface RegistryEntry {
  folder?: string;
  name?: string;
  default?: boolean;
}

/** The folder of the default bundled model. */
export async function defaultModelDir(): Promise<string> {
  try {
    const registry = JSON.parse(await fs.readFile(path.join(MODELS_DIR, 'index.json'), 'utf8')) as { models?: RegistryEntry[] };
    const models = registry.models ?? [];
    const entry = models.find((m) => m.default) ?? models[0];
    const folder = entry?.folder ?? entry?.name;
    if (folder && !/[\\/]|\.\./.test(folder)) return path.join(MODELS_DIR, folder);
  } catch {
    // no registry yet: fall through
  }
  return path.join(MODELS_DIR, 'random-small');
}
