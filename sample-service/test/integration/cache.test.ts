// The Redis read-through cache of GET /users/:id, seen from outside: what lands in Redis, and when it is dropped.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../src/users/user.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterEach(() => app.cleanup());
afterAll(() => app?.close());

const cacheKey = (id: string) => `sample-service:user:${id}`;

describe('user cache', () => {
  it('stores a user in Redis with an expiry on the first GET and serves later GETs from it', async () => {
    const user = await app.createUser({ name: 'Cached' });
    expect(await app.redis.exists(cacheKey(user.id))).toBe(0);

    await app.request('GET', `/users/${user.id}`);
    expect(JSON.parse((await app.redis.get(cacheKey(user.id)))!)).toEqual(user);
    expect(await app.redis.ttl(cacheKey(user.id))).toBeGreaterThan(0);

    // A change behind the service's back is not seen while the entry lives: the answer comes from Redis.
    await app.db.query('UPDATE users SET name = $2 WHERE id = $1', [user.id, 'Changed In SQL']);
    const response = await app.request<User>('GET', `/users/${user.id}`);
    expect(response.body.name).toBe('Cached');
  });

  it('drops the cached user on PATCH so the next GET shows the change', async () => {
    const user = await app.createUser({ name: 'Before' });
    await app.request('GET', `/users/${user.id}`);

    await app.request('PATCH', `/users/${user.id}`, { body: { name: 'After' } });

    expect(await app.redis.exists(cacheKey(user.id))).toBe(0);
    expect((await app.request<User>('GET', `/users/${user.id}`)).body.name).toBe('After');
  });

  it('drops the cached user on DELETE so the next GET answers 404', async () => {
    const user = await app.createUser();
    await app.request('GET', `/users/${user.id}`);
    expect(await app.redis.exists(cacheKey(user.id))).toBe(1);

    await app.request('DELETE', `/users/${user.id}`);

    expect(await app.redis.exists(cacheKey(user.id))).toBe(0);
    expect((await app.request('GET', `/users/${user.id}`)).status).toBe(404);
  });

  it('does not cache misses', async () => {
    const id = '00000000-0000-4000-8000-0000000000aa';
    await app.request('GET', `/users/${id}`);

    expect(await app.redis.exists(cacheKey(id))).toBe(0);
  });
});
