// User use cases: create (then register with the CRM in the background), read through the cache, list, update and
// delete (both invalidate the cache). Depends only on ports, so unit tests run it against in-memory implementations.
// The CRM is a third party: a slow or failing CRM must not slow down or fail sign-ups, so creation answers at once
// with crmStatus "pending" and the registration (with its retries) finishes behind it, ending "synced" or "failed".
import type { CrmClient } from '../crm/crm-client.js';
import type { Cache, Clock, Logger } from '../ports.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { User } from './user.js';
import type { UserChanges, UserRepository } from './user-repository.js';

export interface UserServiceDeps {
  users: UserRepository;
  cache: Cache;
  crm: CrmClient;
  clock: Clock;
  logger: Logger;
  cacheTtlSeconds?: number;
}

export interface ListUsersInput {
  limit: number;
  cursor?: string | undefined;
  page?: number | undefined;
  search?: string | undefined;
}

export interface UserPage {
  items: User[];
  limit: number;
  page: number | null;
  nextCursor: string | null;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not one this service issued: pass the nextCursor of a previous page');
    this.name = 'InvalidCursorError';
  }
}

export interface UserService {
  create(input: { email: string; name: string }): Promise<User>;
  get(id: string): Promise<User | null>;
  list(input: ListUsersInput): Promise<UserPage>;
  update(id: string, changes: UserChanges): Promise<User | null>;
  remove(id: string): Promise<boolean>;
  /** Resolves once every CRM registration started so far has finished (used on shutdown and in tests). */
  drain(): Promise<void>;
}

export const userCacheKey = (id: string): string => `user:${id}`;

export function createUserService(deps: UserServiceDeps): UserService {
  const { users, cache, crm, clock, logger } = deps;
  const ttl = deps.cacheTtlSeconds ?? 300;

  // The cache speeds reads up but is never needed for a correct answer: its failures are logged, not thrown.
  async function cached(id: string): Promise<User | null> {
    try {
      const hit = await cache.get(userCacheKey(id));
      return hit === null ? null : (JSON.parse(hit) as User);
    } catch (error) {
      logger.warn('cache read failed', { id, error: String(error) });
      return null;
    }
  }

  async function invalidate(id: string): Promise<void> {
    try {
      await cache.delete(userCacheKey(id));
    } catch (error) {
      logger.error('cache invalidation failed', { id, error: String(error) });
    }
  }

  const inFlight = new Set<Promise<void>>();

  async function registerWithCrm(user: User): Promise<void> {
    let outcome: { status: 'synced' | 'failed'; crmId: string | null };
    try {
      const { crmId } = await crm.registerContact({ userId: user.id, email: user.email, name: user.name });
      outcome = { status: 'synced', crmId };
    } catch (error) {
      logger.error('CRM registration failed; user kept with crmStatus=failed', { id: user.id, error: String(error) });
      outcome = { status: 'failed', crmId: null };
    }
    await users.setCrmStatus(user.id, outcome.status, outcome.crmId);
    await invalidate(user.id);
  }

  return {
    async create(input) {
      const user = await users.insert({ ...input, createdAt: clock.now() });
      const task = registerWithCrm(user).catch((error: unknown) =>
        logger.error('could not record the CRM registration outcome', { id: user.id, error: String(error) }),
      );
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
      return user;
    },

    async get(id) {
      const hit = await cached(id);
      if (hit) return hit;
      const user = await users.findById(id);
      // A pending user changes as soon as its CRM registration ends; caching it would race that update.
      if (user && user.crmStatus !== 'pending') {
        try {
          await cache.set(userCacheKey(id), JSON.stringify(user), ttl);
        } catch (error) {
          logger.warn('cache write failed', { id, error: String(error) });
        }
      }
      return user;
    },

    async list(input) {
      let after;
      if (input.cursor !== undefined) {
        after = decodeCursor(input.cursor);
        if (!after) throw new InvalidCursorError();
      }
      const offset = input.page === undefined ? 0 : (input.page - 1) * input.limit;
      const rows = await users.list({ limit: input.limit + 1, after, offset, search: input.search });
      const items = rows.slice(0, input.limit);
      const last = items.at(-1);
      return {
        items,
        limit: input.limit,
        page: input.page ?? null,
        nextCursor: rows.length > input.limit && last ? encodeCursor(last) : null,
      };
    },

    async update(id, changes) {
      const user = await users.update(id, changes, clock.now());
      if (user) await invalidate(id);
      return user;
    },

    async remove(id) {
      const removed = await users.delete(id);
      if (removed) await invalidate(id);
      return removed;
    },

    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
