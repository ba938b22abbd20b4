// The worker's lifeline: a Web Lock the worker holds for as long as it lives. A worker that is terminated or whose
// process is killed fires no `error` event, but its locks are released the moment it is gone, so the client, which
// waits for the same lock, learns of its end at once instead of after minutes of unanswered heartbeats.

/** The part of the Web Locks API the lifeline uses (`navigator.locks`). */
export type LockRequester = Pick<LockManager, 'request'>;

/**
 * The `pong` a worker sends unasked, with this request id, once it holds its lifeline lock (named by the worker's
 * `name`): from then on the client waits for that lock, which it is granted only when the worker is gone.
 */
export const LIFELINE_HELD_ID = 0;

/**
 * Holds the worker's lifeline: a Web Lock named after the worker, kept until the worker ends, then says so with
 * a `pong` of {@link LIFELINE_HELD_ID}. Called by the worker entry; a no-op without Web Locks or a name.
 */
export function holdLifeline(scope: { name: string; postMessage(message: unknown): void }, locks: LockRequester | null | undefined): void {
  if (!locks || !scope.name) return;
  void locks.request(scope.name, () => {
    scope.postMessage({ type: 'pong', requestId: LIFELINE_HELD_ID });
    return new Promise<never>(() => undefined);
  });
}
