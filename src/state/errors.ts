// Turns any error the app can meet (CSV problems, bad column choices, model loading and downloads, backend,
// worker crashes) into an alert with a title that says what failed and a message that says why and what to do.
import { CsvParseError, type CsvErrorCode } from '../data/errors';
import type { AppError } from './slices/ui-slice';

/** Where the error happened, to phrase the title. */
export type ErrorContext = 'file' | 'selection' | 'model' | 'forecast';

const CSV_TITLES: Record<CsvErrorCode, string> = {
  empty: 'The file is empty',
  'header-only': 'The file has no data rows',
  binary: 'This is not a CSV file',
  'no-numeric-column': 'No numbers to forecast',
  'too-few-rows': 'Not enough data to forecast',
  'too-large': 'The file is too large',
  'too-many-columns': 'The file has too many columns',
  'too-many-rows': 'The file has too many rows',
  'unclosed-quote': 'A quoted value never ends',
  'line-too-long': 'A line is too long',
  'duplicate-timestamps': 'Repeated timestamps',
  'invalid-timestamp': 'A date cannot be read',
  'irregular-timestamps': 'The timestamps are irregular',
  'unknown-frequency': 'The frequency is unknown',
  'invalid-selection': 'These columns cannot be used',
  'read-failed': 'The file could not be read',
  aborted: 'Loading was cancelled',
};

function errorName(e: unknown): string {
  return e instanceof Error ? e.name : 'Error';
}

/** The error's message as a sentence (ends with a period), so hints can follow it. */
function errorMessage(e: unknown): string {
  const text = (e instanceof Error ? e.message : String(e)).trim() || 'Unknown error';
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** Builds the alert for an error. `subject` is the file name, when there is one. */
export function describeError(e: unknown, context: ErrorContext, subject?: string): AppError {
  const name = errorName(e);
  const message = errorMessage(e);
  const where = subject ? ` (${subject})` : '';
  if (e instanceof CsvParseError) {
    return { name, title: `${CSV_TITLES[e.code]}${where}`, message };
  }
  switch (name) {
    case 'BackendUnavailableError':
      return {
        name,
        title: 'WebGPU is not available',
        message: `${message} Choose Auto or WASM in Backend to run on the CPU.`,
      };
    case 'WorkerCrashedError':
      return { name, title: 'The forecasting worker stopped', message };
    case 'ModelNotLoadedError':
      return { name, title: 'No model is loaded', message: `${message} Reload the page to load the model again.` };
    case 'ManifestError':
    case 'CheckpointError':
    case 'ConfigError':
    case 'SafetensorsError':
    case 'ModelFilesError':
    case 'Float16RangeError':
      return { name, title: 'This is not a model the app can use', message };
    case 'RepoNotFoundError':
      return { name, title: 'Repository not found', message };
    case 'GatedRepoError':
      return { name, title: 'This repository needs permission', message };
    case 'HubInputError':
      return { name, title: 'Check the repository', message };
    case 'HubNetworkError':
    case 'HubHttpError':
      return { name, title: 'The Hugging Face hub could not be reached', message: `${message} Models you loaded before are still in the cache list.` };
    case 'DownloadInterruptedError':
      return { name, title: 'The download was interrupted', message };
    case 'DownloadIntegrityError':
      return { name, title: 'The download is corrupt', message };
    case 'ModelTooLargeError':
      return { name, title: 'The model is too large for this browser', message };
    case 'CachedModelError':
      return { name, title: 'The cached model could not be used', message };
  }
  if (/Error$/.test(name) && name !== 'Error' && context === 'forecast') {
    return { name, title: 'The forecast could not be computed', message };
  }
  switch (context) {
    case 'file':
      return {
        name,
        title: `The file could not be loaded${where}`,
        message: `${message} Check that it is a CSV file and try again.`,
      };
    case 'selection':
      return { name, title: 'These columns cannot be used', message };
    case 'model':
      return {
        name,
        title: 'The model could not be loaded',
        message: `${message} Reload the page, or choose WASM in Backend.`,
      };
    case 'forecast':
      return { name, title: 'The forecast could not be computed', message: `${message} Try again or change the settings.` };
  }
}
