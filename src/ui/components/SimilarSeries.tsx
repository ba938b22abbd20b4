// A panel for data with several series: "series most like this one", ranked by the model's embeddings (cosine
// similarity of each series' Chronos-2 summary vector), each one a button that shows it in the chart.
import { useEffect, useState, type ReactElement } from 'react';
import { setSeriesIndex } from '../../state/actions';
import { seriesRefs } from '../../state/dataset';
import { findSimilarSeries, type SimilarSeries as Ranked } from '../../state/similar-series';
import { useAppStore } from '../../state/store';

/** The similar-series panel; renders nothing for fewer than three series or without a model. */
export function SimilarSeries(): ReactElement | null {
  const tasks = useAppStore((s) => s.tasks);
  const seriesIndex = useAppStore((s) => s.seriesIndex);
  const model = useAppStore((s) => s.model);
  const modelVersion = useAppStore((s) => s.modelVersion);
  const [result, setResult] = useState<{ query: number; ranked: Ranked[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const refs = seriesRefs(tasks);

  useEffect(() => {
    setResult(null);
    setError(null);
  }, [tasks, modelVersion]);

  if (refs.length < 3 || !model) return null;
  const query = Math.min(seriesIndex, refs.length - 1);
  const find = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      setResult({ query, ranked: await findSimilarSeries(query) });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const shown = result && result.query === query ? result.ranked : null;
  return (
    <section className="card" aria-labelledby="similar-heading">
      <h2 id="similar-heading">Similar series</h2>
      <p className="chart-caption">
        Series shaped most like <strong>{refs[query].name}</strong>, by the model's embeddings (level and scale do not count).
      </p>
      <button type="button" onClick={() => void find()} disabled={busy}>
        {busy ? 'Comparing…' : `Find series like ${refs[query].name}`}
      </button>
      {error && <p role="alert">{error}</p>}
      {shown && (
        <ol aria-label={`Series most like ${refs[query].name}`}>
          {shown.map((r) => (
            <li key={r.index}>
              <button type="button" onClick={() => setSeriesIndex(r.index)}>
                {r.name}
              </button>{' '}
              <span>{(r.similarity * 100).toFixed(1)}% similar</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
