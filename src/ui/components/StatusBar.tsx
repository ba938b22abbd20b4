// The status bar: which backend runs the model and why, the model's name and size, loading progress, and the
// last inference time.
import type { ReactElement } from 'react';
import type { BackendChoice } from '../../runtime/backend';
import { modelIdentity } from '../../state/model-identity';
import { useAppStore } from '../../state/store';
import { formatBytes, formatCount, formatDuration, formatSpeed } from '../format';

function backendText(choice: BackendChoice): string {
  return choice.backend === 'webgpu'
    ? `WebGPU (${choice.adapter ?? 'adapter'})`
    : `WASM (${choice.threads} ${choice.threads === 1 ? 'thread' : 'threads'})`;
}

/** The status bar at the bottom of the page. */
export function StatusBar(): ReactElement {
  const model = useAppStore((s) => s.model);
  const choice = useAppStore((s) => s.modelChoice);
  const phase = useAppStore((s) => s.modelPhase);
  const lastInferenceMs = useAppStore((s) => s.lastInferenceMs);
  const forecasting = useAppStore((s) => s.forecasting);
  const progress = useAppStore((s) => s.inferenceProgress);
  const targets = useAppStore((s) => s.selection?.targetColumns);
  const seriesCount = useAppStore((s) => s.seriesSet?.series.length ?? 0);
  const dot = phase.phase === 'error' ? 'error' : phase.phase === 'loading' || forecasting ? 'busy' : model ? 'ready' : '';
  return (
    <footer className="status-bar" aria-label="Status">
      <span className="status-item">
        <span className={`status-dot${dot ? ` status-dot--${dot}` : ''}`} aria-hidden="true" />
        {phase.phase === 'loading' && (
          <span role="status" className="status-item">
            Loading model: {phase.step}
            {phase.loaded !== undefined && (
              <>
                {' '}
                ({formatBytes(phase.loaded)}
                {phase.total ? ` of ${formatBytes(phase.total)}` : ''}
                {phase.bytesPerSecond ? `, ${formatSpeed(phase.bytesPerSecond)}` : ''})
                <progress aria-label="Model download" value={phase.loaded} max={phase.total ?? undefined} />
              </>
            )}
          </span>
        )}
        {phase.phase === 'error' && <span>Model not loaded</span>}
        {phase.phase !== 'loading' && model && (
          <span data-testid="backend-status">
            Backend: <strong>{backendText(model.backend)}</strong> — {model.backend.reason}
          </span>
        )}
      </span>
      {model && (
        <span className="status-item status-item--text" data-testid="model-status">
          Model: <strong>{model.name}</strong> — {modelIdentity(model.name, choice).summary} · {formatCount(model.parameterCount)} parameters ·{' '}
          {formatBytes(model.onnxBytes)}
        </span>
      )}
      {targets && targets.length > 0 && seriesCount > 0 && (
        <span className="status-item" data-testid="target-status">
          Forecasting: <strong>{targets.length <= 3 ? targets.map((t) => `‘${t}’`).join(', ') : `${targets.length} columns`}</strong>
          {seriesCount !== targets.length ? ` (${seriesCount} series)` : ''}
        </span>
      )}
      <span className="status-item" aria-live="polite">
        {forecasting
          ? `Inferring…${progress && progress.total > 0 ? ` model call ${progress.done}/${progress.total}` : ''}`
          : lastInferenceMs !== null
            ? `Last inference: ${formatDuration(lastInferenceMs)}`
            : ''}
      </span>
    </footer>
  );
}
