// Brings a new drawing onto a chart of several layers one layer per frame, out of sight, then shows it whole.
// Why: recharts redraws a chart in one uninterruptible task when its data changes (its store notifies every item
// in an animation frame, and they re-render synchronously); the fan chart is three stacked recharts charts so
// that each frame redraws one, and two stacks of them take turns (double buffering) so that no frame shows
// layers of different drawings, whose axes would not line up.

import { useEffect, useState } from 'react';

/** What each of the two stacks draws: per layer, the drawing it was last given (null: nothing yet). */
export interface LayerStages<D> {
  /** The stack on screen (0 or 1); the other one is hidden while it takes the next drawing. */
  front: 0 | 1;
  stacks: readonly [readonly (D | null)[], readonly (D | null)[]];
}

/** The stages and the drawing they are working towards. */
export interface LayerState<D> extends LayerStages<D> {
  target: D;
}

/** The first state of a chart of `layerCount` layers: nothing drawn yet, working towards `target`. */
export function initialLayerState<D>(target: D, layerCount: number): LayerState<D> {
  const empty = Array.from({ length: layerCount }, (): D | null => null);
  return { front: 0, stacks: [empty, empty], target };
}

function withLayer<D>(state: LayerState<D>, stack: 0 | 1, layer: number): LayerState<D> {
  const layers = state.stacks[stack].slice();
  layers[layer] = state.target;
  const stacks: [readonly (D | null)[], readonly (D | null)[]] = stack === 0 ? [layers, state.stacks[1]] : [state.stacks[0], layers];
  return { ...state, stacks };
}

/**
 * A new target. Nothing is drawn yet: the hidden stack takes it on its first layer in the next step, so that
 * drawings that come in quick succession (the history, then the forecast a few tasks later) cost one drawing,
 * not one each, and the task that brought the target does not also redraw a chart. A newer target restarts the
 * hidden stack's climb.
 */
export function retargetLayers<D>(state: LayerState<D>, target: D): LayerState<D> {
  return { ...state, target };
}

/**
 * The next step towards showing the target: the hidden stack's next stale layer, else swapping the stacks; once
 * shown, the hidden stack's next never-drawn layer; null when there is nothing left to do.
 */
export function advanceLayers<D>(state: LayerState<D>): LayerState<D> | null {
  const back = (1 - state.front) as 0 | 1;
  if (state.stacks[state.front].every((d) => d === state.target)) {
    // Shown. A hidden layer that was never given a drawing mounts now, in a quiet moment, not with the next one.
    const unmounted = state.target === null ? -1 : state.stacks[back].findIndex((d) => d === null);
    return unmounted >= 0 ? withLayer(state, back, unmounted) : null;
  }
  const stale = state.stacks[back].findIndex((d) => d !== state.target);
  if (stale >= 0) return withLayer(state, back, stale);
  return { ...state, front: back };
}

/**
 * The layers' drawings of a double-buffered, `layerCount`-layer chart showing `target`: when `target` changes,
 * the hidden stack takes it on each of its layers after a frame of its own, and is swapped on screen after its
 * last. A newer target restarts the hidden stack's climb; targets that come within one frame are drawn once.
 * Once the first drawing is shown, the other stack's layers mount with it too, one per frame, so that no later
 * drawing pays for mounting a chart. A null target (nothing to draw, e.g. a hidden chart of no size) changes nothing.
 */
export function useLayerStages<D>(target: D | null, layerCount: number): LayerStages<D> {
  const [state, setState] = useState(() => initialLayerState<D | null>(target, layerCount));
  let current = state;
  // No drawing (a chart of no size: hidden) keeps what is drawn, rather than unmounting every layer.
  if (state.target !== target && target !== null) {
    // A new drawing: adjust the state while rendering (React re-renders at once, before committing).
    current = retargetLayers(state, target);
    setState(current);
  }
  useEffect(() => {
    const next = advanceLayers(state);
    if (!next) return;
    // After the next frame, not just the next task: recharts' store notifies its subscribers (and they re-render)
    // in an animation frame, so layers changed in tasks of the same frame would all re-render in that one frame.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setState((s) => (s === state ? next : s)), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [state]);
  return current;
}
