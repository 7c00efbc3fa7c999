// One real service per test file: the real server (real pg pool, real Redis, real HTTP on a random port) with the
// external CRM played by msw at the HTTP boundary. Tests create their own users through the API and `cleanup()`
// deletes exactly those afterwards, so files and tests share no state.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { http, HttpResponse, type RequestHandler } from 'msw';
import { setupServer, type SetupServer } from 'msw/node';
import pg from 'pg';
import { inject, vi } from 'vitest';
import type { CrmClientOptions } from '../../src/crm/crm-client.js';
import { silentLogger } from '../../src/ports.js';
import { startServer, type RunningServer } from '../../src/server.js';
import type { User } from '../../src/users/user.js';
import { TEST_JWT_SECRET } from './tokens.js';

export const CRM_URL = 'http://crm.test';
export const CRM_CONTACTS = `${CRM_URL}/contacts`;

export interface CrmCall {
  idempotencyKey: string | null;
  body: unknown;
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestApp {
  baseUrl: string;
  crm: SetupServer;
  /** Every request the service sent to the CRM since the last cleanup. */
  crmCalls: CrmCall[];
  /** Direct access to the same database and Redis the service uses, to check what it did. */
  db: pg.Pool;
  redis: Redis;
  request<T = unknown>(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
  /**
   * Creates a user through POST /users with a unique email and waits for its CRM registration to finish; returns the
   * user as GET would now show it. It is deleted by cleanup().
   */
  createUser(fields?: { email?: string; name?: string }): Promise<User>;
  /** Waits until the background CRM registration of a user has finished; returns its crm_status from the database. */
  crmOutcome(id: string): Promise<'synced' | 'failed'>;
  /** Registers a user id created some other way for cleanup(). */
  track(id: string): void;
  cleanup(): Promise<void>;
  close(): Promise<void>;
}

export const uniqueEmail = (label = 'user'): string => `${label}-${randomUUID()}@example.test`;

export const crmCreated = (): RequestHandler =>
  http.post(CRM_CONTACTS, () => HttpResponse.json({ id: `crm-${randomUUID()}` }, { status: 201 }));

export async function startTestApp(crmOptions: Omit<CrmClientOptions, 'baseUrl'> = {}): Promise<TestApp> {
  const databaseUrl = inject('databaseUrl');
  const redisUrl = inject('redisUrl');

  const crm = setupServer(crmCreated());
  const crmCalls: CrmCall[] = [];
  crm.events.on('request:start', ({ request }) => {
    if (!request.url.startsWith(CRM_URL)) return;
    const call: CrmCall = { idempotencyKey: request.headers.get('idempotency-key'), body: undefined };
    crmCalls.push(call); // counted at once; the body is filled in as soon as it is read
    void request
      .clone()
      .json()
      .then((body: unknown) => (call.body = body));
  });
  // Requests to the service itself pass through; anything else leaving the process is a test bug.
  crm.listen({
    onUnhandledRequest: (request, print) => {
      if (new URL(request.url).hostname !== '127.0.0.1') print.error();
    },
  });

  let server: RunningServer;
  try {
    server = await startServer(
      { databaseUrl, redisUrl, jwtSecret: TEST_JWT_SECRET, crmUrl: CRM_URL, port: 0 },
      {
        logger: silentLogger,
        hostname: '127.0.0.1',
        crm: { timeoutMs: 250, retries: 3, minDelayMs: 10, maxDelayMs: 40, ...crmOptions },
      },
    );
  } catch (error) {
    crm.close();
    throw error;
  }
  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const redis = new Redis(redisUrl);
  const created = new Set<string>();

  const app: TestApp = {
    baseUrl: server.url,
    crm,
    crmCalls,
    db,
    redis,
    async request(method, path, options = {}) {
      const response = await fetch(server.url + path, {
        method,
        headers: {
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      const text = await response.text();
      const body = text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
      return { status: response.status, headers: response.headers, body };
    },
    async createUser(fields = {}) {
      const response = await app.request<User>('POST', '/users', {
        body: { email: fields.email ?? uniqueEmail(), name: fields.name ?? 'Test User' },
      });
      if (response.status !== 201) throw new Error(`POST /users answered ${response.status}: ${JSON.stringify(response.body)}`);
      created.add(response.body.id);
      // Settle the background CRM registration so later reads in the test are not racing it.
      await app.crmOutcome(response.body.id);
      const { rows } = await db.query<{ crm_status: User['crmStatus']; crm_id: string | null }>(
        'SELECT crm_status, crm_id FROM users WHERE id = $1',
        [response.body.id],
      );
      return { ...response.body, crmStatus: rows[0]!.crm_status, crmId: rows[0]!.crm_id };
    },
    track(id) {
      created.add(id);
    },
    async crmOutcome(id) {
      // Read the database: the test sees the outcome itself, not the API's view of it.
      return vi.waitFor(
        async () => {
          const { rows } = await db.query<{ crm_status: string }>('SELECT crm_status FROM users WHERE id = $1', [id]);
          const status = rows[0]?.crm_status;
          if (status !== 'synced' && status !== 'failed') throw new Error(`crm_status of ${id} is still ${status}`);
          return status;
        },
        { timeout: 10_000, interval: 20 },
      );
    },
    async cleanup() {
      const ids = [...created];
      created.clear();
      crmCalls.length = 0;
      crm.resetHandlers();
      if (ids.length === 0) return;
      await db.query('DELETE FROM users WHERE id = ANY($1::uuid[])', [ids]);
      await redis.del(...ids.map((id) => `sample-service:user:${id}`));
    },
    async close() {
      await server.close(); // waits for CRM registrations in flight
      await app.cleanup();
      crm.close();
      await Promise.all([db.end(), redis.quit()]);
    },
  };
  return app;
}
