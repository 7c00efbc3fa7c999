// Critical: creating, reading and deleting users over real HTTP against real Postgres and Redis.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../../src/users/user.js';
import { startTestApp, uniqueEmail, type TestApp } from '../../support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterEach(() => app.cleanup());
afterAll(() => app?.close());

describe('POST /users', () => {
  it('creates a user, answers 201 with a Location header, and registers it with the CRM in the background', async () => {
    const email = uniqueEmail();
    const response = await app.request<User>('POST', '/users', { body: { email, name: 'Ada Lovelace' } });
    app.track(response.body.id);

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ email, name: 'Ada Lovelace', crmStatus: 'pending', crmId: null });
    expect(response.headers.get('location')).toBe(`/users/${response.body.id}`);
    expect(await app.crmOutcome(response.body.id)).toBe('synced');
    const stored = await app.request<User>('GET', `/users/${response.body.id}`);
    expect(stored.body).toMatchObject({ email, crmStatus: 'synced' });
    expect(stored.body.crmId).toMatch(/^crm-/);
  });

  it('normalises the email to trimmed lower case', async () => {
    const email = uniqueEmail('MiXeD');
    const response = await app.request<User>('POST', '/users', { body: { email: `  ${email.toUpperCase()} `, name: 'N' } });
    app.track(response.body.id);

    expect(response.status).toBe(201);
    expect(response.body.email).toBe(email.toLowerCase());
  });

  it('answers 400 with a field error when the email is missing', async () => {
    const response = await app.request('POST', '/users', { body: { name: 'No Email' } });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: 'validation_failed', fields: { email: ['email is required'] }, errors: [] });
  });

  it('answers 400 with a field error when the email is invalid', async () => {
    const response = await app.request('POST', '/users', { body: { email: 'not-an-email', name: 'Bad Email' } });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ fields: { email: ['email must be a valid email address'] } });
  });

  it('answers 400 when the body is not JSON', async () => {
    const response = await app.request('POST', '/users', {
      headers: { 'content-type': 'application/json' },
      body: undefined,
    });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_json' });
  });

  it('answers 409 when the email is already registered, whatever its case', async () => {
    const first = await app.createUser();
    const response = await app.request('POST', '/users', { body: { email: first.email.toUpperCase(), name: 'Twin' } });

    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ error: 'email_taken', fields: { email: ['email is already registered'] } });
    const { rows } = await app.db.query('SELECT count(*)::int AS n FROM users WHERE email = $1', [first.email]);
    expect(rows[0]).toEqual({ n: 1 });
  });
});

describe('GET /users/:id', () => {
  it('answers 200 with the user', async () => {
    const user = await app.createUser({ name: 'Grace Hopper' });
    const response = await app.request<User>('GET', `/users/${user.id}`);

    expect(response.status).toBe(200);
    expect(response.body).toEqual(user);
    expect(user).toMatchObject({ name: 'Grace Hopper', crmStatus: 'synced' });
  });

  it('answers 404 for an id no user has', async () => {
    const response = await app.request('GET', '/users/00000000-0000-4000-8000-000000000000');

    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: 'not_found' });
  });

  it('answers 404 for an id that is not a UUID', async () => {
    expect((await app.request('GET', '/users/42')).status).toBe(404);
  });
});

describe('DELETE /users/:id', () => {
  it('answers 204, removes the user, and a later GET answers 404', async () => {
    const user = await app.createUser();
    await app.request('GET', `/users/${user.id}`); // cached now: the delete must invalidate it

    const response = await app.request('DELETE', `/users/${user.id}`);

    expect(response.status).toBe(204);
    expect(response.body).toBe('');
    expect((await app.request('GET', `/users/${user.id}`)).status).toBe(404);
    const { rowCount } = await app.db.query('SELECT 1 FROM users WHERE id = $1', [user.id]);
    expect(rowCount).toBe(0);
  });

  it('answers 404 when the user does not exist', async () => {
    const response = await app.request('DELETE', '/users/00000000-0000-4000-8000-000000000000');

    expect(response.status).toBe(404);
  });
});
