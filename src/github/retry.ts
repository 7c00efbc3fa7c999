/**
 * Retries for GitHub REST calls: server errors (5xx, network failures) with exponential backoff, and secondary
 * rate limits (403/429 with `retry-after`, or `x-ratelimit-remaining: 0` until `x-ratelimit-reset`), as GitHub's
 * "best practices for using the REST API" describe. The sleep and clock are injected so tests use fake timers.
 * A write retried after a 5xx may already have happened: the sticky-comment logic tolerates duplicates.
 */

export interface RetryOptions {
  /** Retries after the first attempt (default 3). */
  maxRetries?: number;
  /** First backoff for server errors in ms, doubled each retry (default 1000). */
  baseDelayMs?: number;
  /** Longest wait we accept for a rate limit; a longer one fails the call instead of holding the job (default 60 s). */
  maxWaitMs?: number;
  sleep: (ms: number) => Promise<void>;
  now?: () => number;
  log?: (line: string) => void;
}

/** The parts of an @octokit/request-error RequestError we look at. */
interface ErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

function header(error: ErrorLike, name: string): string | undefined {
  const value = error.response?.headers?.[name];
  return value === undefined ? undefined : String(value);
}

/** How long to wait before retrying this failure (ms), or null when it must not be retried. */
export function retryDelayMs(error: unknown, attempt: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxWaitMs' | 'now'>): number | null {
  const e = (error ?? {}) as ErrorLike;
  const status = e.status;
  const maxWait = options.maxWaitMs ?? 60_000;
  if (status === 403 || status === 429) {
    const retryAfter = header(e, 'retry-after');
    if (retryAfter !== undefined && /^\d+$/.test(retryAfter.trim())) {
      const ms = Number(retryAfter) * 1000;
      return ms <= maxWait ? ms : null;
    }
    if (header(e, 'x-ratelimit-remaining') === '0') {
      const reset = Number(header(e, 'x-ratelimit-reset'));
      const now = (options.now ?? Date.now)();
      const ms = Number.isFinite(reset) ? Math.max(0, reset * 1000 - now) + 1000 : maxWait;
      return ms <= maxWait ? ms : null;
    }
    if (/secondary rate limit/i.test(e.message ?? '')) {
      // GitHub: without retry-after, wait at least one minute before retrying.
      return 60_000 <= maxWait ? 60_000 : null;
    }
    return null; // a plain 403: permissions, not rate limiting.
  }
  if (status !== undefined && status >= 500) {
    // Octokit reports network failures as status 500 RequestErrors.
    return (options.baseDelayMs ?? 1000) * 2 ** attempt;
  }
  return null;
}

/** Calls `fn`, retrying per `retryDelayMs`, at most `maxRetries` times. */
export async function withRetry<T>(what: string, fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const maxRetries = options.maxRetries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const delay = attempt < maxRetries ? retryDelayMs(error, attempt, options) : null;
      if (delay === null) throw error;
      const status = (error as ErrorLike).status;
      options.log?.(`GitHub API ${what} failed (${status ?? 'network error'}); retrying in ${Math.round(delay / 1000)} s (retry ${attempt + 1}/${maxRetries}).`);
      await options.sleep(delay);
    }
  }
}
