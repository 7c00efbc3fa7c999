// Outbound calls to the external CRM. Every attempt has its own timeout (an AbortSignal); 5xx, 429, timeouts and
// network errors are retried with exponential backoff and jitter (p-retry); every attempt for one user carries the
// same Idempotency-Key, so the CRM creates the contact once however many attempts reach it.
import pRetry, { AbortError } from 'p-retry';

export interface CrmContact {
  userId: string;
  email: string;
  name: string;
}

export interface CrmClient {
  /** Registers the contact and returns the CRM's id for it; rejects once retries are exhausted. */
  registerContact(contact: CrmContact): Promise<{ crmId: string }>;
}

export interface CrmClientOptions {
  baseUrl: string;
  fetch?: typeof fetch;
  /** Time allowed for one attempt, response body included. */
  timeoutMs?: number;
  /** Retries after the first attempt. */
  retries?: number;
  /** Delay before the first retry; doubles on each retry. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Multiply each delay by a random factor in [1, 2) so clients that failed together do not retry together. */
  jitter?: boolean;
  onRetry?: (info: { attempt: number; error: Error; retriesLeft: number }) => void;
}

export class CrmHttpError extends Error {
  constructor(readonly status: number) {
    super(`CRM answered HTTP ${status}`);
    this.name = 'CrmHttpError';
  }
}

export class CrmTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`CRM did not answer within ${timeoutMs} ms`);
    this.name = 'CrmTimeoutError';
  }
}

export function idempotencyKeyFor(userId: string): string {
  return `user-created:${userId}`;
}

function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

export function createCrmClient(options: CrmClientOptions): CrmClient {
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 2000;
  const endpoint = new URL('contacts', options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);

  async function attempt(contact: CrmContact): Promise<{ crmId: string }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new CrmTimeoutError(timeoutMs)), timeoutMs);
    try {
      const response = await doFetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKeyFor(contact.userId) },
        body: JSON.stringify({ externalId: contact.userId, email: contact.email, name: contact.name }),
        signal: controller.signal,
      });
      if (!response.ok) {
        await response.arrayBuffer(); // drain the error body so the connection can be reused
        const error = new CrmHttpError(response.status);
        throw isRetryableStatus(response.status) ? error : new AbortError(error);
      }
      const body = (await response.json()) as { id?: unknown };
      if (typeof body.id !== 'string') throw new AbortError('CRM answered without a contact id');
      return { crmId: body.id };
    } catch (error) {
      // An abort surfaces as the signal's reason; make sure it is our timeout error whatever fetch wrapped it in.
      if (controller.signal.aborted && !(error instanceof AbortError)) throw controller.signal.reason as Error;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    registerContact(contact) {
      return pRetry(() => attempt(contact), {
        retries: options.retries ?? 3,
        factor: 2,
        minTimeout: options.minDelayMs ?? 200,
        maxTimeout: options.maxDelayMs ?? 5000,
        randomize: options.jitter ?? true,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft > 0) options.onRetry?.({ attempt: attemptNumber, error, retriesLeft });
        },
      });
    },
  };
}
