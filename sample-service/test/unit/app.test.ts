// Routes and status codes of the app, wired to the real services over in-memory ports (no network, no database).
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import type { User } from '../../src/users/user.js';
import { createUserService } from '../../src/users/user-service.js';
import { InMemoryCache, InMemoryUsers, ManualClock, RecordingCrm, RecordingLogger } from '../support/in-memory.js';
import { signToken, TEST_JWT_SECRET } from '../support/tokens.js';

function build(overrides: { healthFails?: boolean } = {}) {
  const clock = new ManualClock(new Date());
  const logger = new RecordingLogger();
  const users = new InMemoryUsers();
  const service = createUserService({ users, cache: new InMemoryCache(), crm: new RecordingCrm(), clock, logger });
  const app = createApp({
    users: service,
    auth: { secret: TEST_JWT_SECRET, clock },
    logger,
    healthChecks: [
      { name: 'database', check: async () => {} },
      { name: 'redis', check: async () => (overrides.healthFails ? Promise.reject(new Error('down')) : undefined) },
    ],
  });
  const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return { app, users, logger, send };
}

describe('user routes', () => {
  it('POST /users answers 201, then 409 for the same email', async () => {
    const { send } = build();

    const created = await send('POST', '/users', { email: 'a@example.test', name: 'A' });
    const duplicate = await send('POST', '/users', { email: 'A@example.test', name: 'B' });

    expect(created.status).toBe(201);
    expect(duplicate.status).toBe(409);
  });

  it('POST /users answers 400 naming the email field when it is missing or invalid', async () => {
    const { send } = build();

    const missing = await send('POST', '/users', { name: 'A' });
    const invalid = await send('POST', '/users', { email: 'a', name: 'A' });

    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: 'validation_failed', fields: { email: ['email is required'] }, errors: [] });
    expect(invalid.status).toBe(400);
  });

  it('GET, PATCH and DELETE /users/:id answer 200, 200, 204 and then 404', async () => {
    const { send } = build();
    const user = (await (await send('POST', '/users', { email: 'a@example.test', name: 'A' })).json()) as User;

    expect((await send('GET', `/users/${user.id}`)).status).toBe(200);
    expect((await send('PATCH', `/users/${user.id}`, { name: 'B' })).status).toBe(200);
    expect((await send('DELETE', `/users/${user.id}`)).status).toBe(204);
    expect((await send('GET', `/users/${user.id}`)).status).toBe(404);
    expect((await send('PATCH', `/users/${user.id}`, { name: 'C' })).status).toBe(404);
    expect((await send('DELETE', `/users/${user.id}`)).status).toBe(404);
  });

  it('GET /users answers 400 for an invalid limit', async () => {
    const { send } = build();

    const response = await send('GET', '/users?limit=0');

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ fields: { limit: ['limit must be between 1 and 100'] } });
  });

  it('GET /profile answers 401 without a token, 403 for a service token, 200 for the user', async () => {
    const { send } = build();
    const user = (await (await send('POST', '/users', { email: 'a@example.test', name: 'A' })).json()) as User;

    expect((await send('GET', '/profile')).status).toBe(401);
    const service = await signToken({ sub: user.id, role: 'service' });
    expect((await send('GET', '/profile', undefined, { authorization: `Bearer ${service}` })).status).toBe(403);
    const own = await signToken({ sub: user.id, role: 'user' });
    expect((await send('GET', '/profile', undefined, { authorization: `Bearer ${own}` })).status).toBe(200);
  });

  it('answers 500 without details and logs the error when a dependency throws', async () => {
    const { send, users, logger } = build();
    users.findById = () => Promise.reject(new Error('connection terminated'));

    const response = await send('GET', '/users/7d4f3a52-0000-4000-8000-000000000001');

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'internal', message: 'internal server error' });
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'error', message: 'unhandled error' }));
  });

  it('answers 404 JSON for an unknown route', async () => {
    const { send } = build();

    const response = await send('GET', '/nope');

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found', message: 'no route for GET /nope' });
  });
});

describe('GET /health', () => {
  it('answers 503 when a check fails', async () => {
    const { send } = build({ healthFails: true });

    const response = await send('GET', '/health');

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'unavailable', checks: { database: 'ok', redis: 'down' } });
  });
});
