// The model registry (models/index.json): the shipped file parses, the default is the entry marked default (else
// the first), lookups by name or folder, upserts keep one default, and malformed files are refused with messages
// that name the entry and field.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultEntry, findEntry, parseRegistry, RegistryError, upsertEntry, type ModelRegistry } from '../../src/model/registry';

const entry = (name: string, extra: object = {}) => ({ name, folder: name, parameters: 10, size: 20, ...extra });

describe('models/index.json', () => {
  it('the shipped registry parses, offers the demo model and not the random-weight test model', () => {
    const file = fileURLToPath(new URL('../../public/models/index.json', import.meta.url));
    const registry = parseRegistry(JSON.parse(readFileSync(file, 'utf8')));
    expect(defaultEntry(registry)?.name).toBe('chronos2-mini');
    expect(registry.models.map((m) => m.name)).not.toContain('random-small');
    // The tests still load it by URL (?model=random-small, /models/random-small/).
    expect(existsSync(fileURLToPath(new URL('../../public/models/random-small/model.onnx', import.meta.url)))).toBe(true);
  });

  it('picks the default entry, else the first', () => {
    expect(defaultEntry(parseRegistry({ version: 1, models: [entry('a'), entry('b', { default: true })] }))?.name).toBe('b');
    expect(defaultEntry(parseRegistry({ version: 1, models: [entry('a'), entry('b')] }))?.name).toBe('a');
    expect(defaultEntry(parseRegistry({ version: 1, models: [] }))).toBeUndefined();
  });

  it('finds entries by name, then by folder', () => {
    const registry = parseRegistry({ version: 1, models: [{ ...entry('nice-name'), folder: 'folder-x' }] });
    expect(findEntry(registry, 'nice-name')?.folder).toBe('folder-x');
    expect(findEntry(registry, 'folder-x')?.name).toBe('nice-name');
    expect(findEntry(registry, 'other')).toBeUndefined();
  });

  it('upserts replace by name and keep a single default', () => {
    let registry: ModelRegistry = parseRegistry({ version: 1, models: [entry('a', { default: true }), entry('b')] });
    registry = upsertEntry(registry, entry('c', { default: true }));
    expect(registry.models.map((m) => `${m.name}${m.default ? '*' : ''}`)).toEqual(['a', 'b', 'c*']);
    registry = upsertEntry(registry, entry('b', { size: 99 }));
    expect(registry.models.map((m) => `${m.name}:${m.size}`)).toEqual(['a:20', 'b:99', 'c:20']);
    expect(() => parseRegistry(registry)).not.toThrow();
  });

  it('refuses malformed registries with a message naming the entry', () => {
    const bad: Array<[unknown, RegExp]> = [
      [[], /expected a JSON object/],
      [{ version: 2, models: [] }, /unsupported version 2/],
      [{ version: 1, models: [{ ...entry('a'), folder: '../etc' }] }, /models\[0\]\.folder must be a plain folder name/],
      [{ version: 1, models: [entry('a'), entry('a')] }, /models\[1\]: the name "a" appears twice/],
      [{ version: 1, models: [{ ...entry('a'), size: -1 }] }, /models\[0\]\.size must be a positive integer/],
      [{ version: 1, models: [entry('a', { default: true }), entry('b', { default: true })] }, /more than one model is marked "default"/],
    ];
    for (const [json, message] of bad) {
      expect(() => parseRegistry(json)).toThrow(RegistryError);
      expect(() => parseRegistry(json)).toThrow(message);
    }
  });
});
