// A card whose body can be folded away behind its heading (a disclosure button inside the h2), with a one-line
// summary while closed. Phones start with some panels closed so the chart is on the first screen.
import { useId, type ReactElement, type ReactNode } from 'react';
import type { PanelName } from '../../state/slices/ui-slice';
import { setPanelOpen } from '../../state/ui-actions';
import { useAppStore } from '../../state/store';

/** Props of {@link CollapsiblePanel}. */
export interface CollapsiblePanelProps {
  panel: PanelName;
  title: string;
  headingId: string;
  /** Shown next to the heading while the panel is closed. */
  summary?: ReactNode;
  className?: string;
  children: ReactNode;
}

/** A collapsible card. */
export function CollapsiblePanel(props: CollapsiblePanelProps): ReactElement {
  const open = useAppStore((s) => s.panelsOpen[props.panel]);
  const bodyId = useId();
  return (
    <section className={`card collapsible${open ? '' : ' collapsible--closed'}${props.className ? ` ${props.className}` : ''}`} aria-labelledby={props.headingId}>
      <div className="collapsible__header">
        <h2 id={props.headingId}>
          <button type="button" className="collapsible__toggle" aria-expanded={open} aria-controls={bodyId} onClick={() => setPanelOpen(props.panel, !open)}>
            {props.title}
            <svg className="collapsible__chevron" viewBox="0 0 16 16" aria-hidden="true">
              <path d="M4 6 L8 10 L12 6" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
            </svg>
          </button>
        </h2>
        {!open && props.summary && <p className="collapsible__summary">{props.summary}</p>}
      </div>
      <div id={bodyId} className="collapsible__body" hidden={!open}>
        {props.children}
      </div>
    </section>
  );
}
