// The model card: which model is in use, loading progress (bytes, total and speed while downloading) with
// Cancel and Retry, the models installed with the app, Load from Hugging Face, Open local files (picker, folder
// picker or drop anywhere on the page), fp16 weight storage with its measured accuracy cost, and the models
// cached in this browser.
import { useId, type ReactElement } from 'react';
import { cancelModelLoad, openModelFiles, retryModelLoad, setWeightStorage, useInstalledModel } from '../../state/model-actions';
import { WEIGHT_STORAGES, type WeightStorage } from '../../model/onnx/fp16';
import { WEIGHT_STORAGE_ERROR, WEIGHT_STORAGE_LABEL, WEIGHT_STORAGE_SIZE } from '../../model/onnx/weight-storage';
import { modelIdentity, TEST_MODEL } from '../../state/model-identity';
import { useAppStore } from '../../state/store';
import { formatBytes, formatCount, formatSpeed } from '../format';
import { CachedModelList } from './CachedModelList';
import { CollapsiblePanel } from './CollapsiblePanel';
import { HubLoadForm } from './HubLoadForm';

function CurrentModel(): ReactElement {
  const model = useAppStore((s) => s.model);
  const choice = useAppStore((s) => s.modelChoice);
  const note = useAppStore((s) => s.modelNote);
  if (!model) return <p className="field__hint">No model is loaded.</p>;
  const where =
    choice?.kind === 'registry' ? 'installed with the app' : choice?.kind === 'cached' ? 'cached in this browser' : choice?.kind === 'hub' ? 'from Hugging Face' : 'from local files';
  return (
    <div className="current-model" data-testid="current-model">
      <span className="model-list__name">{model.name}</span>
      <small className="current-model__identity">{modelIdentity(model.name, choice).summary}</small>
      <small>
        {formatCount(model.parameterCount)} parameters · {formatBytes(model.onnxBytes)} · {WEIGHT_STORAGE_LABEL[model.weights ?? 'float32']} weights · {where}
      </small>
      {note && <small className="current-model__note">{note}</small>}
    </div>
  );
}

function LoadProgress(): ReactElement | null {
  const phase = useAppStore((s) => s.modelPhase);
  if (phase.phase !== 'loading') return null;
  const downloading = phase.loaded !== undefined;
  return (
    <div className="load-progress" role="status" aria-label="Model loading">
      <span className="busy">
        <span className="spinner" aria-hidden="true" /> {phase.step}
      </span>
      {downloading && (
        <>
          <progress aria-label="Download progress" value={phase.loaded} max={phase.total ?? undefined} />
          <small>
            {formatBytes(phase.loaded ?? 0)}
            {phase.total ? ` of ${formatBytes(phase.total)}` : ''}
            {phase.bytesPerSecond ? ` · ${formatSpeed(phase.bytesPerSecond)}` : ''}
          </small>
        </>
      )}
      <button type="button" className="btn btn--small" onClick={cancelModelLoad}>
        Cancel
      </button>
    </div>
  );
}

function InstalledModels(): ReactElement | null {
  const registry = useAppStore((s) => s.registry);
  const choice = useAppStore((s) => s.modelChoice);
  const loading = useAppStore((s) => s.modelPhase.phase === 'loading');
  const offered = (registry ?? []).filter((m) => m.name !== TEST_MODEL);
  if (offered.length === 0) return null;
  return (
    <div className="model-section">
      <h3 id="installed-models-heading">Installed with the app</h3>
      <ul className="model-list" aria-labelledby="installed-models-heading">
        {offered.map((m) => (
          <li key={m.name} className="model-list__item">
            <div className="model-list__text">
              <span className="model-list__name">
                {m.name}
                {m.default ? ' (default)' : ''}
              </span>
              <small>
                {formatCount(m.parameters)} parameters · {formatBytes(m.size)}
                {m.weights && m.weights !== 'float32' ? ` · ${WEIGHT_STORAGE_LABEL[m.weights]}` : ''}
                {m.description ? ` · ${m.description}` : ''}
              </small>
            </div>
            {choice?.kind === 'registry' && choice.name === m.name ? (
              <span className="badge">In use</span>
            ) : (
              <button type="button" className="btn btn--small" aria-label={`Use ${m.name}`} disabled={loading} onClick={() => void useInstalledModel(m.name)}>
                Use
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

function LocalFiles(): ReactElement {
  const id = useId();
  const loading = useAppStore((s) => s.modelPhase.phase === 'loading');
  const open = (list: FileList | null): void => {
    const files = list ? Array.from(list) : [];
    if (files.length > 0) void openModelFiles(files);
  };
  return (
    <div className="model-section">
      <h3>Open local files</h3>
      <div className="btn-row">
        <input
          id={`${id}-files`}
          className="visually-hidden"
          type="file"
          multiple
          accept=".json,.safetensors,.onnx"
          disabled={loading}
          onChange={(e) => {
            open(e.target.files);
            e.target.value = '';
          }}
        />
        <label htmlFor={`${id}-files`} className="btn">
          Open local files
        </label>
        <input
          id={`${id}-folder`}
          className="visually-hidden"
          type="file"
          multiple
          disabled={loading}
          ref={(el) => el?.setAttribute('webkitdirectory', '')}
          onChange={(e) => {
            open(e.target.files);
            e.target.value = '';
          }}
        />
        <label htmlFor={`${id}-folder`} className="btn">
          Open model folder
        </label>
      </div>
      <p className="field__hint">
        A checkpoint (config.json + model.safetensors) or a converted model (model.onnx + manifest.json). You can also drop the folder or
        files anywhere on the page.
      </p>
    </div>
  );
}

/** The model card of the side panel. */
export function ModelPanel(): ReactElement {
  const retryLabel = useAppStore((s) => s.retryLabel);
  const storage = useAppStore((s) => s.weightStorage);
  const percent = (w: WeightStorage) => `${(WEIGHT_STORAGE_ERROR[w] * 100).toLocaleString('en-US')}%`;
  const modelName = useAppStore((s) => s.model?.name ?? null);
  const choice = useAppStore((s) => s.modelChoice);
  const summary = modelName ? `${modelName} — ${modelIdentity(modelName, choice).summary}` : 'No model loaded';
  return (
    <CollapsiblePanel panel="model" title="Model" headingId="model-heading" summary={summary} className="model-panel">
      <CurrentModel />
      <LoadProgress />
      {retryLabel && (
        <div className="btn-row retry-row">
          <button type="button" className="btn btn--primary" onClick={() => void retryModelLoad()}>
            Retry
          </button>
          <small className="field__hint">Load {retryLabel} again; an interrupted download resumes where it stopped.</small>
        </div>
      )}
      <InstalledModels />
      <div className="model-section">
        <h3>Load from Hugging Face</h3>
        <HubLoadForm />
      </div>
      <LocalFiles />
      <div className="field">
        <label className="field__label" htmlFor="weight-storage">
          Weight storage
        </label>
        <select id="weight-storage" value={storage} onChange={(e) => setWeightStorage(e.target.value as WeightStorage)}>
          {WEIGHT_STORAGES.map((w) => (
            <option key={w} value={w}>
              {WEIGHT_STORAGE_LABEL[w]} — {WEIGHT_STORAGE_SIZE[w]}
            </option>
          ))}
        </select>
        <small className="field__hint" data-testid="weight-storage-note">
          For the next conversion (hub or local checkpoint); compute stays fp32.{' '}
          {storage === 'float32'
            ? 'Matches the reference pipeline within 0.01% of each series’ largest value.'
            : `Forecasts move by up to ${percent(storage)} of each series’ largest value (measured on the golden fixtures).`}
        </small>
      </div>
      <CachedModelList />
    </CollapsiblePanel>
  );
}
