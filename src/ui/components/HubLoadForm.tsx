// "Load from Hugging Face": a repository id and optional revision, the hub settings (base URL for a mirror or a
// local server, an access token for gated repositories, never stored), and the submit button. The download,
// conversion and caching run in the worker; progress shows in the model panel.
import { useId, useState, type FormEvent, type ReactElement } from 'react';
import { loadFromHub, setHubUrl } from '../../state/model-actions';
import { useAppStore } from '../../state/store';

/** The published Chronos-2 models, offered as one-click loads. */
const OFFICIAL_MODELS = [
  { repo: 'amazon/chronos-2', size: '120M parameters, 478 MB' },
  { repo: 'autogluon/chronos-2-small', size: '28M parameters, 113 MB' },
] as const;

/** The Hugging Face part of the model panel. */
export function HubLoadForm(): ReactElement {
  const id = useId();
  const hubUrl = useAppStore((s) => s.hubUrl);
  const weights = useAppStore((s) => s.weightStorage);
  const loading = useAppStore((s) => s.modelPhase.phase === 'loading');
  const [repo, setRepo] = useState('');
  const [revision, setRevision] = useState('');
  const [token, setToken] = useState('');
  const [hubDraft, setHubDraft] = useState<string | null>(null);
  const [hubError, setHubError] = useState<string | null>(null);

  const applyHubUrl = (): boolean => {
    if (hubDraft === null) return true;
    const error = setHubUrl(hubDraft);
    setHubError(error);
    if (error === null) setHubDraft(null);
    return error === null;
  };
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (!applyHubUrl()) return;
    void loadFromHub({ repo, revision, weights, token });
  };

  return (
    <form className="hub-form" aria-label="Load from Hugging Face" onSubmit={submit}>
      <div className="field">
        <label htmlFor={`${id}-repo`}>Repository</label>
        <input
          id={`${id}-repo`}
          type="text"
          value={repo}
          placeholder="amazon/chronos-2"
          autoComplete="off"
          spellCheck={false}
          required
          onChange={(e) => setRepo(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-revision`}>Revision</label>
        <input
          id={`${id}-revision`}
          type="text"
          value={revision}
          placeholder="main"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setRevision(e.target.value)}
        />
      </div>
      <details className="hub-settings">
        <summary>Hub settings</summary>
        <div className="field">
          <label htmlFor={`${id}-hub`}>Hub URL</label>
          <input
            id={`${id}-hub`}
            type="text"
            inputMode="url"
            value={hubDraft ?? hubUrl}
            spellCheck={false}
            aria-invalid={hubError !== null}
            aria-describedby={`${id}-hub-hint`}
            onChange={(e) => setHubDraft(e.target.value)}
            onBlur={applyHubUrl}
          />
          <span id={`${id}-hub-hint`} className={hubError ? 'field__error' : 'field__hint'}>
            {hubError ?? 'The public hub, a mirror, or a local server with the same URL layout.'}
          </span>
        </div>
        <div className="field">
          <label htmlFor={`${id}-token`}>Access token</label>
          <input
            id={`${id}-token`}
            type="password"
            value={token}
            autoComplete="off"
            aria-describedby={`${id}-token-hint`}
            onChange={(e) => setToken(e.target.value)}
          />
          <span id={`${id}-token-hint`} className="field__hint">
            Only for gated or private repositories. Used for this download only, never stored.
          </span>
        </div>
      </details>
      <button type="submit" className="btn btn--primary" disabled={loading || repo.trim() === ''}>
        Load from Hugging Face
      </button>
      <div className="btn-row">
        {/* The real models, one click away (the bundled default is a small model of our own). */}
        {OFFICIAL_MODELS.map((m) => (
          <button
            key={m.repo}
            type="button"
            className="btn"
            disabled={loading}
            title={`Download ${m.repo} (${m.size}) from the hub, convert it here and cache it for offline use`}
            onClick={() => {
              if (applyHubUrl()) void loadFromHub({ repo: m.repo, revision: '', weights, token });
            }}
          >
            Use {m.repo} <small>({m.size})</small>
          </button>
        ))}
      </div>
    </form>
  );
}
