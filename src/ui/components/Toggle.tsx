// A labelled checkbox with a description: the label is the accessible name, the description is linked with
// aria-describedby, so "Backtest" stays "Backtest" for screen readers and tests.
import { useId, type ReactElement } from 'react';

/** Props of {@link Toggle}. */
export interface ToggleProps {
  label: string;
  description: string;
  checked: boolean;
  disabled?: boolean;
  onChange: (checked: boolean) => void;
}

/** A checkbox with a label and a hint. */
export function Toggle(props: ToggleProps): ReactElement {
  const id = useId();
  return (
    <div className={`toggle${props.disabled ? ' toggle--disabled' : ''}`}>
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        aria-describedby={`${id}-hint`}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      <div>
        <label htmlFor={id}>{props.label}</label>
        <small id={`${id}-hint`}>{props.description}</small>
      </div>
    </div>
  );
}
