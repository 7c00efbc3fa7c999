// GET /profile behind JWT auth. The authentication tests are tagged @critical (they run on every pull request even
// though this file is outside test/integration/critical/); the profile-content tests below them are not.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../src/users/user.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { signToken } from '../support/tokens.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterEach(() => app.cleanup());
afterAll(() => app?.close());

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe('GET /profile authentication @critical', () => {
  it('answers 401 with a WWW-Authenticate challenge when no token is sent', async () => {
    const response = await app.request('GET', '/profile');

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(response.body).toMatchObject({ error: 'unauthorized' });
  });

  it('answers 401 for a token signed with another secret', async () => {
    const user = await app.createUser();
    const token = await signToken({ sub: user.id, secret: 'another-secret-that-is-also-32-characters!' });

    expect((await app.request('GET', '/profile', bearer(token))).status).toBe(401);
  });

  it('answers 401 for a malformed token and for a non-Bearer scheme', async () => {
    expect((await app.request('GET', '/profile', bearer('not.a.jwt'))).status).toBe(401);
    expect((await app.request('GET', '/profile', { headers: { authorization: 'Basic dXNlcjpwYXNz' } })).status).toBe(401);
  });

  it('answers 401 for an expired token', async () => {
    const user = await app.createUser();
    const token = await signToken({
      sub: user.id,
      issuedAt: new Date(Date.now() - 7_200_000),
      expiresAt: new Date(Date.now() - 3_600_000),
    });

    expect((await app.request('GET', '/profile', bearer(token))).status).toBe(401);
  });

  it('answers 403 for a valid token whose role may not read profiles', async () => {
    const user = await app.createUser();
    const token = await signToken({ sub: user.id, role: 'service' });

    const response = await app.request('GET', '/profile', bearer(token));

    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ error: 'forbidden' });
  });

  it('answers 200 with the caller’s user record for a valid user token', async () => {
    const user = await app.createUser({ name: 'Katherine Johnson' });
    const token = await signToken({ sub: user.id, role: 'user' });

    const response = await app.request<{ role: string; user: User }>('GET', '/profile', bearer(token));

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ role: 'user', user });
  });
});

describe('GET /profile content', () => {
  it('shows a rename made through PATCH /users/:id', async () => {
    const user = await app.createUser({ name: 'Before' });
    const token = await signToken({ sub: user.id, role: 'admin' });
    await app.request('GET', '/profile', bearer(token)); // caches the user

    await app.request('PATCH', `/users/${user.id}`, { body: { name: 'After' } });
    const response = await app.request<{ user: User }>('GET', '/profile', bearer(token));

    expect(response.status).toBe(200);
    expect(response.body.user.name).toBe('After');
  });

  it('answers 404 when the token names a user that was deleted', async () => {
    const user = await app.createUser();
    const token = await signToken({ sub: user.id });
    await app.request('DELETE', `/users/${user.id}`);

    expect((await app.request('GET', '/profile', bearer(token))).status).toBe(404);
  });
});
