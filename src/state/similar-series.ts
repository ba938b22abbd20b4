// "Series most like this one": embeds every target series of the loaded data once per data set and model (in the
// worker, see forecast/embed.ts) and ranks the others by cosine similarity of their REG-token vectors. The vectors
// come from instance-normalised inputs, so they compare the shape of the series (trend, seasonality, noise), not
// their level.
import { mostSimilar } from '../forecast/embed';
import { seriesRefs } from './dataset';
import { getEngine } from './engine';
import { useAppStore } from './store';

/** One ranked series. */
export interface SimilarSeries {
  /** Index into the flattened target series (the chart's series index). */
  index: number;
  name: string;
  /** Cosine similarity in [-1, 1]. */
  similarity: number;
}

let cached: { key: unknown; version: number; vectors: Float32Array[] } | null = null;

/**
 * The `limit` series most similar to series `index` of the current data.
 * @throws ModelNotLoadedError without a model; the engine's errors otherwise
 */
export async function findSimilarSeries(index: number, limit = 5): Promise<SimilarSeries[]> {
  const state = useAppStore.getState();
  const refs = seriesRefs(state.tasks);
  const set = state.seriesSet;
  if (!set || refs.length < 2) return [];
  if (!cached || cached.key !== set || cached.version !== state.modelVersion) {
    const byId = new Map(set.series.map((s) => [s.id, s]));
    const series = refs.map((ref, i) => Array.from((byId.get(ref.name) ?? set.series[i]).target));
    const result = await getEngine().embed({ series });
    cached = { key: set, version: state.modelVersion, vectors: result.vectors };
  }
  return mostSimilar(cached.vectors, index, limit).map((r) => ({ index: r.index, name: refs[r.index].name, similarity: r.similarity }));
}
