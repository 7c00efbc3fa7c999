// PATCH /users/:id over real HTTP and Postgres.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../src/users/user.js';
import { startTestApp, uniqueEmail, type TestApp } from '../support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterEach(() => app.cleanup());
afterAll(() => app?.close());

describe('PATCH /users/:id', () => {
  it('answers 200 with the changed user and a later updatedAt', async () => {
    const user = await app.createUser({ name: 'Old Name' });
    const email = uniqueEmail('renamed');

    const response = await app.request<User>('PATCH', `/users/${user.id}`, { body: { name: 'New Name', email } });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: user.id, name: 'New Name', email, createdAt: user.createdAt });
    expect(Date.parse(response.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(user.updatedAt));
    const { rows } = await app.db.query('SELECT name, email FROM users WHERE id = $1', [user.id]);
    expect(rows).toEqual([{ name: 'New Name', email }]);
  });

  it('changes only the fields sent', async () => {
    const user = await app.createUser({ name: 'Keep Email' });

    const response = await app.request<User>('PATCH', `/users/${user.id}`, { body: { name: 'Renamed' } });

    expect(response.body).toMatchObject({ name: 'Renamed', email: user.email });
  });

  it('answers 400 with field errors for an invalid email, an empty body, or unknown fields', async () => {
    const user = await app.createUser();

    const badEmail = await app.request('PATCH', `/users/${user.id}`, { body: { email: 'nope' } });
    const empty = await app.request('PATCH', `/users/${user.id}`, { body: {} });
    const unknown = await app.request('PATCH', `/users/${user.id}`, { body: { role: 'admin' } });

    expect(badEmail.status).toBe(400);
    expect(badEmail.body).toMatchObject({ fields: { email: ['email must be a valid email address'] } });
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ errors: ['send at least one of email, name'] });
    expect(unknown.status).toBe(400);
  });

  it('answers 404 for a user that does not exist', async () => {
    const response = await app.request('PATCH', '/users/00000000-0000-4000-8000-000000000000', { body: { name: 'X' } });

    expect(response.status).toBe(404);
  });

  it('answers 409 when the new email belongs to another user', async () => {
    const taken = await app.createUser();
    const user = await app.createUser();

    const response = await app.request('PATCH', `/users/${user.id}`, { body: { email: taken.email } });

    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ error: 'email_taken' });
  });
});
