// The CRM registration that follows user creation, through the real service: retries with backoff on 5xx, timeouts
// and network errors, never on 4xx, and one Idempotency-Key per user reused by every attempt. msw plays the CRM.
import { delay, http, HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../src/users/user.js';
import { CRM_CONTACTS, startTestApp, uniqueEmail, type TestApp } from '../support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  // 250 ms per attempt, 3 retries, 10-40 ms backoff: the same code paths as production, on a test-sized clock.
  app = await startTestApp({ timeoutMs: 250, retries: 3, minDelayMs: 10, maxDelayMs: 40 });
});
afterEach(() => app.cleanup());
afterAll(() => app?.close());

/** A CRM that answers each attempt with the next response in the list (the last one repeats). */
function crmAnswers(...answers: Array<() => Promise<Response> | Response>) {
  let attempt = 0;
  app.crm.use(
    http.post(CRM_CONTACTS, () => {
      const answer = answers[Math.min(attempt, answers.length - 1)]!;
      attempt++;
      return answer();
    }),
  );
}

const created = () => HttpResponse.json({ id: 'crm-42' }, { status: 201 });
const failing = (status: number) => () => HttpResponse.json({ error: 'boom' }, { status });

/** Creates a user through the API and returns it as GET shows it once its CRM registration has finished. */
async function postUser(): Promise<User> {
  const created = await app.createUser();
  return (await app.request<User>('GET', `/users/${created.id}`)).body;
}

describe('CRM registration on POST /users', () => {
  it('answers POST /users with 201 at once while a slow CRM is still being retried', async () => {
    crmAnswers(async () => {
      await delay(5_000);
      return created();
    });

    const started = performance.now();
    const response = await app.request<User>('POST', '/users', { body: { email: uniqueEmail(), name: 'Fast' } });
    app.track(response.body.id);

    expect(response.status).toBe(201);
    expect(response.body.crmStatus).toBe('pending');
    expect(performance.now() - started).toBeLessThan(1_000); // a blocking call would take > 1 s: 4 attempts x 250 ms
    expect(await app.crmOutcome(response.body.id)).toBe('failed');
    expect(app.crmCalls).toHaveLength(4);
  });

  it('sends the contact once with an Idempotency-Key derived from the user id', async () => {
    const user = await postUser();

    expect(user.crmStatus).toBe('synced');
    expect(app.crmCalls).toEqual([
      { idempotencyKey: `user-created:${user.id}`, body: { externalId: user.id, email: user.email, name: user.name } },
    ]);
  });

  it('retries after a 500 and succeeds, reusing the same Idempotency-Key', async () => {
    crmAnswers(failing(500), created);

    const user = await postUser();

    expect(user).toMatchObject({ crmStatus: 'synced', crmId: 'crm-42' });
    expect(app.crmCalls.map((call) => call.idempotencyKey)).toEqual([
      `user-created:${user.id}`,
      `user-created:${user.id}`,
    ]);
  });

  it('gives up an attempt that exceeds the timeout and retries it', async () => {
    crmAnswers(async () => {
      await delay(2_000);
      return created();
    }, created);

    const started = performance.now();
    const user = await postUser();

    expect(user.crmStatus).toBe('synced');
    expect(app.crmCalls).toHaveLength(2);
    expect(new Set(app.crmCalls.map((call) => call.idempotencyKey))).toEqual(new Set([`user-created:${user.id}`]));
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('retries after a network error', async () => {
    crmAnswers(() => HttpResponse.error(), created);

    const user = await postUser();

    expect(user.crmStatus).toBe('synced');
    expect(app.crmCalls).toHaveLength(2);
  });

  it('keeps the user with crmStatus "failed" when every attempt fails (1 attempt + 3 retries)', async () => {
    crmAnswers(failing(503));

    const user = await postUser();

    expect(user).toMatchObject({ crmStatus: 'failed', crmId: null });
    expect(app.crmCalls).toHaveLength(4);
    const { rows } = await app.db.query('SELECT crm_status FROM users WHERE id = $1', [user.id]);
    expect(rows).toEqual([{ crm_status: 'failed' }]);
  });

  it('does not retry a 4xx answer', async () => {
    crmAnswers(failing(422), created);

    const user = await postUser();

    expect(user.crmStatus).toBe('failed');
    expect(app.crmCalls).toHaveLength(1);
  });

  it('gives each user its own Idempotency-Key', async () => {
    const first = await postUser();
    const second = await postUser();

    expect(app.crmCalls.map((call) => call.idempotencyKey)).toEqual([
      `user-created:${first.id}`,
      `user-created:${second.id}`,
    ]);
  });
});
