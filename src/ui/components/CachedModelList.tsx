// The models cached in this browser (downloaded from a hub or opened from files, converted once): name, where it
// came from, weight storage and size, with Use and Delete, and how much of the browser's storage they take.
import { WEIGHT_STORAGE_LABEL } from '../../model/onnx/weight-storage';
import type { ReactElement } from 'react';
import type { CachedModel } from '../../hub/cache';
import { deleteCachedModel, useCachedModel } from '../../state/model-actions';
import { useAppStore } from '../../state/store';
import { formatBytes } from '../format';

function originText(model: CachedModel): string {
  if (model.origin.kind === 'local') return 'from local files';
  const { hubUrl, revision } = model.origin;
  const host = hubUrl.replace(/^https?:\/\//, '');
  return `from ${host}${revision === 'main' ? '' : ` @ ${revision}`}`;
}

/** The cached-models part of the model panel. */
export function CachedModelList(): ReactElement | null {
  const available = useAppStore((s) => s.cacheAvailable);
  const models = useAppStore((s) => s.cachedModels);
  const estimate = useAppStore((s) => s.storageEstimate);
  const inUse = useAppStore((s) => s.model?.cacheId);
  const loading = useAppStore((s) => s.modelPhase.phase === 'loading');
  if (!available) {
    return <p className="field__hint">This browser cannot cache models; downloaded models are converted again on each visit.</p>;
  }
  return (
    <div className="model-section">
      <h3 id="cached-models-heading">Cached in this browser</h3>
      {models.length === 0 ? (
        <p className="field__hint">No cached models yet. Models loaded from Hugging Face or from files are kept here for offline use.</p>
      ) : (
        <ul className="model-list" aria-labelledby="cached-models-heading">
          {models.map((m) => (
            <li key={m.id} className="model-list__item">
              <div className="model-list__text">
                <span className="model-list__name">{m.name}</span>
                <small>
                  {originText(m)} · {WEIGHT_STORAGE_LABEL[m.weights ?? 'float32']} · {formatBytes(m.onnxBytes)}
                </small>
              </div>
              {inUse === m.id ? (
                <span className="badge">In use</span>
              ) : (
                <button type="button" className="btn btn--small" aria-label={`Use cached ${m.name}`} disabled={loading} onClick={() => void useCachedModel(m.id)}>
                  Use
                </button>
              )}
              <button type="button" className="btn btn--small" aria-label={`Delete ${m.name}`} onClick={() => void deleteCachedModel(m.id)}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      {estimate && (
        <p className="field__hint" data-testid="storage-estimate">
          Browser storage: {formatBytes(estimate.usage)} used of {formatBytes(estimate.quota)} available to this site.
        </p>
      )}
    </div>
  );
}
