/** Deadline and cancellation helpers for the steps of starting a service. */

/** Races `promise` against the deadline and the signal; the loser keeps running (callers clean it up). */
export async function bounded<T>(promise: Promise<T>, deadline: number, signal: AbortSignal, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DeadlineError(what)), Math.max(0, deadline - Date.now()));
        onAbort = () => reject(new CancelledError(what));
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

export class DeadlineError extends Error {
  constructor(what: string) {
    super(`timed out during ${what}`);
    this.name = 'DeadlineError';
  }
}
export class CancelledError extends Error {
  constructor(what: string) {
    super(`cancelled during ${what}`);
    this.name = 'CancelledError';
  }
}
