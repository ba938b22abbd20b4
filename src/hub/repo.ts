// Where a file of a Hugging Face repository lives: the hub's URL layout `<hub>/<repo>/resolve/<revision>/<file>`,
// with the repository id, revision and hub base URL validated at the boundary (they are typed by people). The
// base URL is configurable so that a mirror or a local server can stand in for the public hub.
import { HubInputError } from './errors';

/** The public Hugging Face hub. */
export const DEFAULT_HUB_URL = 'https://huggingface.co';
/** The revision used when none is given. */
export const DEFAULT_REVISION = 'main';

/** A validated repository at a revision on a hub. */
export interface HubLocation {
  /** Base URL without a trailing slash, e.g. `https://huggingface.co` or `http://127.0.0.1:8080/mirror`. */
  hubUrl: string;
  /** `owner/name` (or a bare legacy `name`). */
  repo: string;
  /** Branch, tag or commit. */
  revision: string;
}

const REPO_PART = /^[A-Za-z0-9](?:[\w.-]{0,94}[\w])?$/;

/**
 * Validates a repository id as the hub spells them: `owner/name` (letters, digits, `-`, `_`, `.`; at most 96
 * characters per part), or a bare legacy `name`. Surrounding spaces and a pasted `https://huggingface.co/` prefix
 * are removed.
 * @throws HubInputError saying what is wrong
 */
export function normalizeRepoId(input: string): string {
  let repo = input.trim();
  const pasted = /^https?:\/\/[^/]+\/(.+?)\/?$/.exec(repo);
  if (pasted) repo = pasted[1].split('/').slice(0, 2).join('/');
  if (repo.length === 0) throw new HubInputError('Enter a repository id such as amazon/chronos-2.');
  const parts = repo.split('/');
  if (parts.length > 2 || !parts.every((p) => REPO_PART.test(p)) || repo.includes('..') || repo.includes('--')) {
    throw new HubInputError(
      `"${input.trim()}" is not a valid repository id: use owner/name with letters, digits, "-", "_" or "." (for example amazon/chronos-2).`,
    );
  }
  return repo;
}

/**
 * Validates a revision (branch, tag, commit sha or `refs/pr/N`); empty means `main`.
 * @throws HubInputError when it has spaces, `..` or is implausibly long
 */
export function normalizeRevision(input: string | undefined): string {
  const revision = (input ?? '').trim();
  if (revision.length === 0) return DEFAULT_REVISION;
  if (revision.length > 255 || /\s|\.\.|^\/|\/$|[\x00-\x1f\\?#%]/.test(revision)) {
    throw new HubInputError(`"${revision}" is not a valid revision: use a branch, tag or commit id (for example main).`);
  }
  return revision;
}

/**
 * Validates the hub base URL (http or https; a path prefix is allowed for mirrors) and drops a trailing slash.
 * @throws HubInputError for anything else
 */
export function normalizeHubUrl(input: string | undefined): string {
  const text = (input ?? '').trim();
  if (text.length === 0) return DEFAULT_HUB_URL;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new HubInputError(`"${text}" is not a valid hub URL; use for example ${DEFAULT_HUB_URL} or http://127.0.0.1:8080.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HubInputError(`The hub URL must start with http:// or https://, got "${text}".`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new HubInputError(`The hub URL must be a plain base URL without query, fragment or credentials, got "${text}".`);
  }
  return url.href.replace(/\/+$/, '');
}

/** Validates all three parts of a location. */
export function hubLocation(input: { hubUrl?: string; repo: string; revision?: string }): HubLocation {
  return { hubUrl: normalizeHubUrl(input.hubUrl), repo: normalizeRepoId(input.repo), revision: normalizeRevision(input.revision) };
}

/** `<hub>/<repo>/resolve/<revision>/<file>`; the revision is one path segment (`refs/pr/1` → `refs%2Fpr%2F1`). */
export function resolveUrl(location: HubLocation, file: string): string {
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `${location.hubUrl}/${location.repo}/resolve/${encodeURIComponent(location.revision)}/${path}`;
}

/** Whether a revision is a full commit id (immutable, so a cached copy needs no check with the hub). */
export function isCommitId(revision: string): boolean {
  return /^[0-9a-f]{40}$/.test(revision);
}

/** `repo` or `repo@revision` when the revision is not `main`: how a hub model is named on screen. */
export function describeLocation(location: Pick<HubLocation, 'repo' | 'revision'>): string {
  return location.revision === DEFAULT_REVISION ? location.repo : `${location.repo}@${location.revision}`;
}
