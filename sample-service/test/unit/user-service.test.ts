import { beforeEach, describe, expect, it } from 'vitest';
import { CrmHttpError } from '../../src/crm/crm-client.js';
import { DuplicateEmailError } from '../../src/users/user.js';
import { createUserService, InvalidCursorError, userCacheKey, type UserService } from '../../src/users/user-service.js';
import { InMemoryCache, InMemoryUsers, ManualClock, RecordingCrm, RecordingLogger } from '../support/in-memory.js';

let users: InMemoryUsers;
let cache: InMemoryCache;
let crm: RecordingCrm;
let clock: ManualClock;
let logger: RecordingLogger;
let service: UserService;

beforeEach(() => {
  users = new InMemoryUsers();
  cache = new InMemoryCache();
  crm = new RecordingCrm();
  clock = new ManualClock();
  logger = new RecordingLogger();
  service = createUserService({ users, cache, crm, clock, logger, cacheTtlSeconds: 60 });
});

describe('creating a user', () => {
  it('stores the user with the clock’s time and answers at once with crmStatus "pending"', async () => {
    const user = await service.create({ email: 'ada@example.test', name: 'Ada' });

    expect(user).toMatchObject({ email: 'ada@example.test', crmStatus: 'pending', crmId: null });
    expect(user.createdAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('registers the user with the CRM in the background and marks it synced with the CRM id', async () => {
    const user = await service.create({ email: 'ada@example.test', name: 'Ada' });
    await service.drain();

    expect(crm.contacts).toEqual([{ userId: user.id, email: 'ada@example.test', name: 'Ada' }]);
    expect(users.rows.get(user.id)).toMatchObject({ crmStatus: 'synced', crmId: 'crm-1' });
  });

  it('keeps the user, marked crmStatus "failed", when the CRM cannot be reached, and logs why', async () => {
    crm.outcomes = [new CrmHttpError(503)];

    const user = await service.create({ email: 'ada@example.test', name: 'Ada' });
    await service.drain();

    expect(users.rows.get(user.id)).toMatchObject({ crmStatus: 'failed', crmId: null });
    expect(logger.entries).toContainEqual(
      expect.objectContaining({ level: 'error', fields: expect.objectContaining({ id: user.id }) }),
    );
  });

  it('does not cache a user whose registration is pending, so reads show the outcome as soon as it is known', async () => {
    const release = crm.hold();
    const user = await service.create({ email: 'ada@example.test', name: 'Ada' });
    expect((await service.get(user.id))?.crmStatus).toBe('pending');
    expect(cache.entries.size).toBe(0);

    release();
    await service.drain();

    expect((await service.get(user.id))?.crmStatus).toBe('synced');
    expect(cache.entries.size).toBe(1);
  });

  it('logs, without an unhandled rejection, when the outcome cannot be recorded', async () => {
    users.setCrmStatus = () => Promise.reject(new Error('connection terminated'));

    const user = await service.create({ email: 'ada@example.test', name: 'Ada' });
    await service.drain();

    expect(logger.entries).toContainEqual({
      level: 'error',
      message: 'could not record the CRM registration outcome',
      fields: { id: user.id, error: 'Error: connection terminated' },
    });
  });

  it('lets a duplicate email error through without calling the CRM again', async () => {
    await service.create({ email: 'ada@example.test', name: 'Ada' });

    await expect(service.create({ email: 'ada@example.test', name: 'Twin' })).rejects.toBeInstanceOf(DuplicateEmailError);
    await service.drain();
    expect(crm.contacts).toHaveLength(1);
  });
});

describe('reading a user', () => {
  it('reads through the cache: the first read fills it with the configured TTL, the next is served from it', async () => {
    await service.create({ email: 'a@example.test', name: 'A' });
    await service.drain();
    const user = [...users.rows.values()][0]!;

    expect(await service.get(user.id)).toEqual(user);
    expect(cache.entries.get(userCacheKey(user.id))).toEqual({ value: JSON.stringify(user), ttlSeconds: 60 });

    users.rows.get(user.id)!.name = 'changed behind the cache';
    expect((await service.get(user.id))?.name).toBe('A');
  });

  it('returns null for an unknown id and caches nothing', async () => {
    expect(await service.get('00000000-0000-4000-8000-000000000000')).toBeNull();
    expect(cache.entries.size).toBe(0);
  });

  it('falls back to the database when the cache fails, logging a warning', async () => {
    const created = await service.create({ email: 'a@example.test', name: 'A' });
    await service.drain();
    cache.failing = true;

    expect(await service.get(created.id)).toEqual(users.rows.get(created.id));
    expect(logger.entries.filter((entry) => entry.level === 'warn').map((entry) => entry.message)).toEqual([
      'cache read failed',
      'cache write failed',
    ]);
  });
});

describe('changing and deleting a user', () => {
  it('update invalidates the cached user and stamps updatedAt from the clock', async () => {
    const user = await service.create({ email: 'a@example.test', name: 'A' });
    await service.drain();
    await service.get(user.id);
    clock.advance(5_000);

    const updated = await service.update(user.id, { name: 'B' });

    expect(updated).toMatchObject({ name: 'B', updatedAt: '2026-01-01T00:00:05.000Z' });
    expect(cache.entries.has(userCacheKey(user.id))).toBe(false);
    expect((await service.get(user.id))?.name).toBe('B');
  });

  it('update of an unknown user returns null', async () => {
    expect(await service.update('00000000-0000-4000-8000-000000000000', { name: 'B' })).toBeNull();
  });

  it('remove deletes the user and its cache entry', async () => {
    const user = await service.create({ email: 'a@example.test', name: 'A' });
    await service.drain();
    await service.get(user.id);

    expect(await service.remove(user.id)).toBe(true);
    expect(cache.entries.size).toBe(0);
    expect(await service.get(user.id)).toBeNull();
    expect(await service.remove(user.id)).toBe(false);
  });
});

describe('listing users', () => {
  async function seed(count: number) {
    const created = [];
    for (let i = 0; i < count; i++) {
      created.push(await service.create({ email: `u${i}@example.test`, name: `U${i}` }));
      clock.advance(1000);
    }
    return created;
  }

  it('pages by cursor until nextCursor is null', async () => {
    const created = await seed(5);

    const first = await service.list({ limit: 2 });
    const second = await service.list({ limit: 2, cursor: first.nextCursor! });
    const third = await service.list({ limit: 2, cursor: second.nextCursor! });

    expect([...first.items, ...second.items, ...third.items].map((u) => u.id)).toEqual(created.map((u) => u.id));
    expect(third.nextCursor).toBeNull();
    expect(first.page).toBeNull();
  });

  it('pages by number', async () => {
    const created = await seed(5);

    const page = await service.list({ limit: 2, page: 3 });

    expect(page).toMatchObject({ page: 3, limit: 2, nextCursor: null });
    expect(page.items.map((u) => u.id)).toEqual([created[4]!.id]);
  });

  it('rejects a cursor it did not issue', async () => {
    await expect(service.list({ limit: 2, cursor: 'bogus' })).rejects.toBeInstanceOf(InvalidCursorError);
  });
});
