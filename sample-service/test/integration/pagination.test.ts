// GET /users pagination (cursor and page) and its validation. Each test lists only its own users by searching for a
// token that only their emails contain, so users created by other tests never shift its pages.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../src/users/user.js';
import type { UserPage } from '../../src/users/user-service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterEach(() => app.cleanup());
afterAll(() => app?.close());

async function createUsers(count: number): Promise<{ token: string; users: User[] }> {
  const token = `pg${randomUUID().slice(0, 8)}`;
  const users: User[] = [];
  for (let i = 0; i < count; i++) users.push(await app.createUser({ email: `${token}-${i}@example.test` }));
  return { token, users };
}

const ids = (page: UserPage) => page.items.map((user) => user.id);

describe('GET /users', () => {
  it('walks every user exactly once, in creation order, following nextCursor', async () => {
    const { token, users } = await createUsers(5);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/users?q=${token}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const response = await app.request<UserPage>('GET', query);
      expect(response.status).toBe(200);
      expect(response.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...ids(response.body));
      cursor = response.body.nextCursor;
      pages++;
    } while (cursor);

    expect(pages).toBe(3);
    expect(seen).toEqual(users.map((user) => user.id));
  });

  it('serves numbered pages with page and limit', async () => {
    const { token, users } = await createUsers(5);

    const second = await app.request<UserPage>('GET', `/users?q=${token}&limit=2&page=2`);
    const third = await app.request<UserPage>('GET', `/users?q=${token}&limit=2&page=3`);
    const beyond = await app.request<UserPage>('GET', `/users?q=${token}&limit=2&page=4`);

    expect(second.body).toMatchObject({ page: 2, limit: 2 });
    expect(ids(second.body)).toEqual([users[2]!.id, users[3]!.id]);
    expect(ids(third.body)).toEqual([users[4]!.id]);
    expect(third.body.nextCursor).toBeNull();
    expect(beyond.body.items).toEqual([]);
  });

  it('defaults to 20 users per page', async () => {
    const response = await app.request<UserPage>('GET', '/users');

    expect(response.status).toBe(200);
    expect(response.body.limit).toBe(20);
    expect(response.body.items.length).toBeLessThanOrEqual(20);
  });

  it.each([
    ['limit=0', 'limit', 'limit must be between 1 and 100'],
    ['limit=101', 'limit', 'limit must be between 1 and 100'],
    ['limit=ten', 'limit', 'limit must be a positive integer'],
    ['page=0', 'page', 'page must be at least 1'],
    ['page=-1', 'page', 'page must be a positive integer'],
    ['cursor=garbage', 'cursor', 'cursor is not one this service issued: pass the nextCursor of a previous page'],
  ])('answers 400 for %s', async (query, field, message) => {
    const response = await app.request('GET', `/users?${query}`);

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'validation_failed', fields: { [field]: [message] } });
  });

  it('answers 400 when both cursor and page are given', async () => {
    const { token } = await createUsers(3);
    const first = await app.request<UserPage>('GET', `/users?q=${token}&limit=1`);

    const response = await app.request('GET', `/users?q=${token}&cursor=${first.body.nextCursor}&page=2`);

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ fields: { cursor: ['use either cursor or page, not both'] } });
  });
});
