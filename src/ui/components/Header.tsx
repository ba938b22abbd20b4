// The page header: product name, the privacy promise, the model that runs named honestly (our demo weights or
// Amazon's), and the backend choice (Auto / WebGPU / WASM).
import type { ReactElement } from 'react';
import type { BackendPreference } from '../../runtime/backend';
import { setBackendPreference } from '../../state/actions';
import { modelIdentity } from '../../state/model-identity';
import { useAppStore } from '../../state/store';

function isPreference(value: string): value is BackendPreference {
  return value === 'auto' || value === 'webgpu' || value === 'wasm';
}

/** The app header with the backend select. */
export function Header(): ReactElement {
  const preference = useAppStore((s) => s.backendPreference);
  const modelName = useAppStore((s) => s.model?.name ?? null);
  const choice = useAppStore((s) => s.modelChoice);
  const identity = modelName ? modelIdentity(modelName, choice) : null;
  return (
    <header className="app-header">
      <div className="brand">
        <svg className="brand__logo" viewBox="0 0 32 32" aria-hidden="true">
          <rect width="32" height="32" rx="8" fill="#2563eb" />
          <path d="M6 22 L12 15 L16 18 L20 12" stroke="#fff" strokeWidth="2.2" fill="none" strokeLinecap="round" />
          <path d="M20 12 L26 7 L26 17 Z" fill="#bcd0fb" opacity="0.9" />
          <path d="M20 12 L26 11" stroke="#fff" strokeWidth="2" strokeLinecap="round" />
        </svg>
        <div>
          <h1>Chronos Forecast</h1>
          <p>
            <span className="brand__what">Time-series forecasts with the Chronos-2 architecture, computed in your browser. </span>
            Your data never leaves this computer.
          </p>
          <p className="header-model" data-testid="header-model">
            {identity ? (
              <>
                Model: <strong>{identity.name}</strong> — {identity.summary}
              </>
            ) : (
              'No model loaded yet'
            )}
          </p>
        </div>
      </div>
      <div className="header-controls">
        <div className="inline-field">
          <label htmlFor="backend-select">Backend</label>
          <select
            id="backend-select"
            value={preference}
            onChange={(e) => {
              if (isPreference(e.target.value)) setBackendPreference(e.target.value);
            }}
          >
            <option value="auto">Auto</option>
            <option value="webgpu">WebGPU</option>
            <option value="wasm">WASM</option>
          </select>
        </div>
      </div>
    </header>
  );
}
