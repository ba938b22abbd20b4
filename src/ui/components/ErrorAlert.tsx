// The error banner: one `role="alert"` element with what went wrong and what to do; dismissable, and it never
// blocks the rest of the page.
import type { ReactElement } from 'react';
import { clearError } from '../../state/actions';
import { useAppStore } from '../../state/store';

/** Shows the current error, if any. */
export function ErrorAlert(): ReactElement | null {
  const error = useAppStore((s) => s.error);
  if (!error) return null;
  return (
    <div className="alert" role="alert" data-error-name={error.name}>
      <div className="alert__body">
        <p className="alert__title">{error.title}</p>
        <p className="alert__message">{error.message}</p>
      </div>
      <button type="button" className="btn" onClick={clearError} aria-label="Dismiss error">
        ✕
      </button>
    </div>
  );
}
