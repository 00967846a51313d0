/**
 * One call into a dedicated worker, raced against the caller's cancel and the
 * worker's own crash. On abort it rejects at once with an AbortError, and the
 * caller stops the work (tells the worker, or terminates it); an error event
 * of the worker rejects with `crashed` and the event's message.
 */
/** What a worker's stale run rejects with (analysis.worker.ts); the client turns it into an AbortError. */
export const STALE_RUN_MESSAGE = 'stale run stopped';

export async function raceWorkerCall<T>(
  worker: Worker,
  call: () => Promise<T>,
  signal: AbortSignal,
  messages: { readonly cancelled: string; readonly crashed: string },
): Promise<T> {
  if (signal.aborted) throw new DOMException(messages.cancelled, 'AbortError');
  let onAbort: (() => void) | undefined;
  let onError: ((event: ErrorEvent) => void) | undefined;
  try {
    return await new Promise<T>((resolve, reject) => {
      onAbort = (): void => {
        reject(new DOMException(messages.cancelled, 'AbortError'));
      };
      onError = (event: ErrorEvent): void => {
        event.preventDefault();
        reject(new Error(`${messages.crashed}${event.message ? `: ${event.message}` : ''}`));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      worker.addEventListener('error', onError);
      call().then(resolve, (error: unknown) => {
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    if (onError !== undefined) worker.removeEventListener('error', onError);
  }
}
