// Things the user should know about their data that did not stop it from loading (gaps filled, rows skipped,
// columns read as text). Not an alert: the page works, these are notes.
import type { ReactElement } from 'react';
import { useAppStore } from '../../state/store';

/** The notes about the loaded data. */
export function Warnings(): ReactElement | null {
  const description = useAppStore((s) => s.description);
  const seriesSet = useAppStore((s) => s.seriesSet);
  const notes = [...(description?.warnings ?? []), ...(seriesSet?.warnings ?? [])];
  if (notes.length === 0) return null;
  return (
    <section className="alert alert--warning" aria-label="Notes about the data">
      <div className="alert__body">
        <p className="alert__title">Notes about the data</p>
        <ul>
          {notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      </div>
    </section>
  );
}
