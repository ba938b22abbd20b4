// The offer of the real Chronos-2 while our small demo model runs: not a dialog, a card under the chart that
// says which model made the forecast, what Amazon's checkpoints cost to download and to keep (per weight
// format), that they are converted here and cached for offline use, with one button each. "Not now" folds it
// to one line; it never blocks the page.
import { useId, type ReactElement } from 'react';
import { WEIGHT_STORAGES, type WeightStorage } from '../../model/onnx/fp16';
import { WEIGHT_STORAGE_LABEL } from '../../model/onnx/weight-storage';
import { modelIdentity, OFFICIAL_MODELS, type OfficialModel } from '../../state/model-identity';
import { loadFromHub, setWeightStorage } from '../../state/model-actions';
import { setOfferCollapsed } from '../../state/ui-actions';
import { useAppStore } from '../../state/store';
import { formatCount } from '../format';

/** Decimal megabytes, as download sizes are usually quoted ("478 MB"); "≈" where the size is estimated. */
function megabytes(bytes: number, estimated = false): string {
  return `${estimated ? '≈' : ''}${bytes >= 100e6 ? Math.round(bytes / 1e6) : (bytes / 1e6).toFixed(bytes >= 10e6 ? 0 : 1)} MB`;
}

function OfferRow(props: { model: OfficialModel; weights: WeightStorage; disabled: boolean }): ReactElement {
  const { model, weights, disabled } = props;
  return (
    <li className="offer__model">
      <div className="offer__model-text">
        <strong>{model.repo}</strong>
        <small>
          {model.parameters} parameters · download {megabytes(model.downloadBytes)} once · kept for offline use as{' '}
          {WEIGHT_STORAGES.map((w, i) => (
            <span key={w} className={w === weights ? 'offer__size offer__size--chosen' : 'offer__size'}>
              {i > 0 ? ', ' : ''}
              {WEIGHT_STORAGE_LABEL[w]} {megabytes(model.cachedBytes[w], !model.measured && w !== 'float32')}
            </span>
          ))}
        </small>
      </div>
      <button
        type="button"
        className="btn btn--primary"
        disabled={disabled}
        onClick={() => void loadFromHub({ repo: model.repo, revision: '', weights, token: '' })}
      >
        Get {model.repo}
      </button>
    </li>
  );
}

/** The offer card, shown while the demo (or test) model runs. */
export function ModelOffer(): ReactElement | null {
  const id = useId();
  const model = useAppStore((s) => s.model);
  const choice = useAppStore((s) => s.modelChoice);
  const collapsed = useAppStore((s) => s.offerCollapsed);
  const weights = useAppStore((s) => s.weightStorage);
  const loading = useAppStore((s) => s.modelPhase.phase === 'loading');
  if (!model) return null;
  const identity = modelIdentity(model.name, choice);
  if (identity.kind !== 'demo' && identity.kind !== 'test') return null;
  if (collapsed) {
    return (
      <section className="offer offer--collapsed" aria-label="Get the real Chronos-2">
        <span>
          Forecasts by <strong>{model.name}</strong>, {identity.summary}.
        </span>
        <button type="button" className="btn btn--link" aria-expanded={false} onClick={() => setOfferCollapsed(false)}>
          Get the real Chronos-2…
        </button>
      </section>
    );
  }
  return (
    <section className="offer" aria-labelledby={`${id}-heading`}>
      <div className="offer__header">
        <h2 id={`${id}-heading`}>Get the real Chronos-2</h2>
        <button type="button" className="btn btn--link" onClick={() => setOfferCollapsed(true)}>
          Not now
        </button>
      </div>
      <p className="offer__text">
        Forecasts here come from <strong>{model.name}</strong>: {identity.summary} ({formatCount(model.parameterCount)} parameters, trained by us on public
        datasets). Amazon&rsquo;s Chronos-2 is far larger and trained on far more data. It downloads once from Hugging Face, is converted in
        this browser and stays cached for offline use.
      </p>
      <div className="inline-field offer__storage">
        <label htmlFor={`${id}-weights`}>Keep the weights as</label>
        <select id={`${id}-weights`} value={weights} onChange={(e) => setWeightStorage(e.target.value as WeightStorage)}>
          {WEIGHT_STORAGES.map((w) => (
            <option key={w} value={w}>
              {WEIGHT_STORAGE_LABEL[w]}
            </option>
          ))}
        </select>
      </div>
      <ul className="offer__models">
        {OFFICIAL_MODELS.map((m) => (
          <OfferRow key={m.repo} model={m} weights={weights} disabled={loading} />
        ))}
      </ul>
    </section>
  );
}
