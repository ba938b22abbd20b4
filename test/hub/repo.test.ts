// Repository ids, revisions and hub URLs as people type them, and the hub's URL layout built from them.
import { describe, expect, it } from 'vitest';
import { describeLocation, hubLocation, isCommitId, normalizeHubUrl, normalizeRepoId, normalizeRevision, resolveUrl } from '../../src/hub/repo';

describe('hub locations', () => {
  it('normalises what people type', () => {
    expect(normalizeRepoId('  amazon/chronos-2 ')).toBe('amazon/chronos-2');
    expect(normalizeRepoId('https://huggingface.co/autogluon/chronos-2-small/tree/main')).toBe('autogluon/chronos-2-small');
    expect(normalizeRepoId('gpt2')).toBe('gpt2');
    expect(normalizeRevision('')).toBe('main');
    expect(normalizeRevision(' v1.0 ')).toBe('v1.0');
    expect(normalizeHubUrl(undefined)).toBe('https://huggingface.co');
    expect(normalizeHubUrl('http://127.0.0.1:8080/mirror/')).toBe('http://127.0.0.1:8080/mirror');
  });

  it('refuses invalid input with a message that shows a valid example', () => {
    expect(() => normalizeRepoId('')).toThrow(/Enter a repository id such as amazon\/chronos-2/);
    for (const bad of ['amazon/', '/x', 'a/b/c', 'a b/c', 'a/-x', 'a/x..y', 'a--b/c']) expect(() => normalizeRepoId(bad)).toThrow(/not a valid repository id/);
    for (const bad of ['a b', '../x', 'x?y']) expect(() => normalizeRevision(bad)).toThrow(/not a valid revision/);
    expect(() => normalizeHubUrl('huggingface.co')).toThrow(/not a valid hub URL/);
    expect(() => normalizeHubUrl('file:///tmp')).toThrow(/must start with http/);
    expect(() => normalizeHubUrl('https://user:pw@hub.example')).toThrow(/without query, fragment or credentials/);
  });

  it('builds the hub URL layout, with the revision as one path segment', () => {
    const location = hubLocation({ repo: 'amazon/chronos-2', revision: 'refs/pr/1' });
    expect(resolveUrl(location, 'model.safetensors')).toBe('https://huggingface.co/amazon/chronos-2/resolve/refs%2Fpr%2F1/model.safetensors');
    expect(resolveUrl(hubLocation({ repo: 'a/b', hubUrl: 'http://127.0.0.1:9/m' }), 'config.json')).toBe('http://127.0.0.1:9/m/a/b/resolve/main/config.json');
    expect(describeLocation(location)).toBe('amazon/chronos-2@refs/pr/1');
    expect(describeLocation(hubLocation({ repo: 'amazon/chronos-2' }))).toBe('amazon/chronos-2');
    expect(isCommitId('0123456789abcdef0123456789abcdef01234567')).toBe(true);
    expect(isCommitId('main')).toBe(false);
  });
});
