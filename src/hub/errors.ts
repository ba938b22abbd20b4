// Named errors of getting a model onto this machine: the Hugging Face hub (or a mirror) refusing or failing a
// request, a download breaking off or arriving corrupt, a model too large for the browser, local files that are
// not a model, the model cache. They cross the worker boundary as `{name, message}`, so every message says what
// happened and what to do, and names the repository or file.
import type { PartialDownload } from './download';

/** A repository id, revision or hub URL typed by the user is not valid. */
export class HubInputError extends Error {
  override readonly name = 'HubInputError';
}

/** The repository, revision or file does not exist on the hub (HTTP 404). */
export class RepoNotFoundError extends Error {
  override readonly name = 'RepoNotFoundError';
}

/** The repository is gated or private and this request is not allowed to read it (HTTP 401 / 403). */
export class GatedRepoError extends Error {
  override readonly name = 'GatedRepoError';
}

/** The hub answered with an unexpected HTTP status (5xx, 429, ...). */
export class HubHttpError extends Error {
  override readonly name = 'HubHttpError';
  constructor(
    message: string,
    /** The HTTP status code. */
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * The hub answered, but with redirects that cannot be followed: a loop, or more redirects than fetch follows
 * (a misconfigured mirror or proxy). Not the same as an unreachable hub.
 */
export class HubRedirectError extends Error {
  override readonly name = 'HubRedirectError';
}

/** The hub could not be reached at all (offline, wrong URL, blocked by CORS). */
export class HubNetworkError extends Error {
  override readonly name = 'HubNetworkError';
}

/**
 * The connection dropped in the middle of a file. Nothing was cached; the bytes received so far are kept in
 * memory (`partial`, never sent across the worker boundary) so that a retry resumes with an HTTP Range request.
 */
export class DownloadInterruptedError extends Error {
  override readonly name: string = 'DownloadInterruptedError';
  constructor(
    message: string,
    /** What was received, to resume from; null when nothing useful arrived. */
    readonly partial: PartialDownload | null,
  ) {
    super(message);
  }
}

/**
 * A download made no progress (no bytes, or fewer than the minimum) for the stated period and was stopped. What
 * arrived is kept, as for {@link DownloadInterruptedError}, so that Retry resumes with a Range request.
 */
export class DownloadStalledError extends DownloadInterruptedError {
  override readonly name = 'DownloadStalledError';
}

/** A downloaded file does not have the size or hash the server announced: it is corrupt and was discarded. */
export class DownloadIntegrityError extends Error {
  override readonly name = 'DownloadIntegrityError';
}

/** A model file is larger than this browser (or the configured ceiling) can hold in memory. */
export class ModelTooLargeError extends Error {
  override readonly name = 'ModelTooLargeError';
}

/** Files picked or dropped by the user are not a Chronos-2 checkpoint or converted model. */
export class ModelFilesError extends Error {
  override readonly name = 'ModelFilesError';
}

/** A cached model asked for is not (or no longer) in this browser's storage, or its stored bytes are damaged. */
export class CachedModelError extends Error {
  override readonly name = 'CachedModelError';
}
