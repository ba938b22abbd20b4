// Waits for the page to be idle, so that work which can wait (the backtest's baselines, computed in the worker
// with the CPU the page's first drawing of a new forecast needs) starts after the chart is on screen; and for the
// next task, so that two big steps of work are two tasks, not one long one.

/**
 * Resolves when the event loop is idle (`requestIdleCallback`), at the latest after `timeoutMs`; where there is
 * no `requestIdleCallback` (Node, tests), on the next macrotask.
 */
export function whenIdle(timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestIdleCallback === 'function') requestIdleCallback(() => resolve(), { timeout: timeoutMs });
    else setTimeout(resolve, 0);
  });
}

/** Resolves in a later task (a zero timeout), after the current task and its microtasks have ended. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
