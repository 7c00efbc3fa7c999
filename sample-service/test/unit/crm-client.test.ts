// The CRM client's retry, backoff, timeout and idempotency behaviour, with a fake fetch and fake timers: no sleeps.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCrmClient, CrmHttpError, CrmTimeoutError, type CrmClientOptions } from '../../src/crm/crm-client.js';

interface Call {
  at: number;
  url: string;
  headers: Headers;
  body: unknown;
  signal: AbortSignal;
}

/** A fetch that records calls and answers each with the next scripted outcome. */
function scriptedFetch(...outcomes: Array<Response | Error | 'hang'>) {
  const calls: Call[] = [];
  const fetchFn = (async (input: URL | RequestInfo, init?: RequestInit) => {
    const signal = init!.signal!;
    calls.push({
      at: Date.now(),
      url: String(input),
      headers: new Headers(init!.headers),
      body: JSON.parse(String(init!.body)),
      signal,
    });
    const outcome = outcomes[Math.min(calls.length - 1, outcomes.length - 1)]!;
    if (outcome === 'hang') {
      return new Promise<Response>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    }
    if (outcome instanceof Error) throw outcome;
    return outcome.clone();
  }) as typeof fetch;
  return { fetchFn, calls };
}

const ok = () => Response.json({ id: 'crm-1' }, { status: 201 });
const status = (code: number) => new Response('{}', { status: code });
const contact = { userId: '7d4f3a52-0000-4000-8000-000000000001', email: 'a@example.test', name: 'A' };

function client(fetchFn: typeof fetch, options: Partial<CrmClientOptions> = {}) {
  return createCrmClient({
    baseUrl: 'https://crm.example.com/api',
    fetch: fetchFn,
    timeoutMs: 1000,
    retries: 3,
    minDelayMs: 100,
    maxDelayMs: 1000,
    jitter: false,
    ...options,
  });
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('CRM client', () => {
  it('POSTs the contact to <baseUrl>/contacts with an Idempotency-Key derived from the user id', async () => {
    const { fetchFn, calls } = scriptedFetch(ok());

    await expect(client(fetchFn).registerContact(contact)).resolves.toEqual({ crmId: 'crm-1' });

    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('https://crm.example.com/api/contacts');
    expect(calls[0]!.headers.get('idempotency-key')).toBe(`user-created:${contact.userId}`);
    expect(calls[0]!.headers.get('content-type')).toBe('application/json');
    expect(calls[0]!.body).toEqual({ externalId: contact.userId, email: contact.email, name: contact.name });
  });

  it('retries 5xx answers with exponential backoff (100, 200, 400 ms) and the same Idempotency-Key', async () => {
    const { fetchFn, calls } = scriptedFetch(status(500), status(502), status(503), ok());

    const result = client(fetchFn).registerContact(contact);
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(200);
    expect(calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(399);
    expect(calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);

    await expect(result).resolves.toEqual({ crmId: 'crm-1' });
    expect(calls.map((call) => call.at)).toEqual([0, 100, 300, 700]);
    expect(new Set(calls.map((call) => call.headers.get('idempotency-key')))).toEqual(
      new Set([`user-created:${contact.userId}`]),
    );
  });

  it('caps the backoff at maxDelayMs', async () => {
    const { fetchFn, calls } = scriptedFetch(status(500), status(500), status(500), ok());

    const result = client(fetchFn, { minDelayMs: 300, maxDelayMs: 500 }).registerContact(contact);
    await vi.runAllTimersAsync();

    await expect(result).resolves.toEqual({ crmId: 'crm-1' });
    expect(calls.map((call) => call.at)).toEqual([0, 300, 800, 1300]);
  });

  it('adds jitter: each delay is scaled by a random factor between 1 and 2', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const { fetchFn, calls } = scriptedFetch(status(500), status(500), ok());

    const result = client(fetchFn, { jitter: true }).registerContact(contact);
    await vi.runAllTimersAsync();

    await expect(result).resolves.toEqual({ crmId: 'crm-1' });
    expect(calls.map((call) => call.at)).toEqual([0, 150, 450]);
  });

  it('retries 429 and network errors', async () => {
    const { fetchFn, calls } = scriptedFetch(status(429), new TypeError('fetch failed'), ok());

    const result = client(fetchFn).registerContact(contact);
    await vi.runAllTimersAsync();

    await expect(result).resolves.toEqual({ crmId: 'crm-1' });
    expect(calls).toHaveLength(3);
  });

  it('aborts an attempt after timeoutMs with CrmTimeoutError and retries it', async () => {
    const { fetchFn, calls } = scriptedFetch('hang', ok());

    const result = client(fetchFn).registerContact(contact);
    await vi.advanceTimersByTimeAsync(999);
    expect(calls[0]!.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(calls[0]!.signal.reason).toBeInstanceOf(CrmTimeoutError);
    await vi.advanceTimersByTimeAsync(100);

    await expect(result).resolves.toEqual({ crmId: 'crm-1' });
    expect(calls.map((call) => call.at)).toEqual([0, 1100]);
  });

  it('rejects with the last error once the retries are used up', async () => {
    const { fetchFn, calls } = scriptedFetch(status(503));
    const retries: number[] = [];

    const result = client(fetchFn, { retries: 2, onRetry: ({ attempt }) => retries.push(attempt) }).registerContact(contact);
    const assertion = expect(result).rejects.toEqual(new CrmHttpError(503));
    await vi.runAllTimersAsync();
    await assertion;

    expect(calls).toHaveLength(3);
    expect(retries).toEqual([1, 2]);
  });

  it('does not retry a 4xx answer other than 429', async () => {
    const { fetchFn, calls } = scriptedFetch(status(422), ok());

    await expect(client(fetchFn).registerContact(contact)).rejects.toEqual(new CrmHttpError(422));
    expect(calls).toHaveLength(1);
  });

  it('rejects without retrying when the CRM answers 2xx without a contact id', async () => {
    const { fetchFn, calls } = scriptedFetch(Response.json({}, { status: 201 }));

    await expect(client(fetchFn).registerContact(contact)).rejects.toThrow('CRM answered without a contact id');
    expect(calls).toHaveLength(1);
  });

  it('leaves no timer behind after a successful call', async () => {
    const { fetchFn } = scriptedFetch(ok());

    await client(fetchFn).registerContact(contact);

    expect(vi.getTimerCount()).toBe(0);
  });
});
