// GET /health reports the database and Redis, over real connections.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { silentLogger } from '../../src/ports.js';
import { startServer } from '../../src/server.js';
import { freePort } from '../support/services.js';
import { CRM_URL, startTestApp, type TestApp } from '../support/test-app.js';
import { TEST_JWT_SECRET } from '../support/tokens.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterEach(() => app.cleanup());
afterAll(() => app?.close());

describe('GET /health', () => {
  it('answers 200 when the database and Redis both answer', async () => {
    const response = await app.request('GET', '/health');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', checks: { database: 'ok', redis: 'ok' } });
  });

  it('answers 503 naming Redis when Redis is unreachable, while the database is fine', async () => {
    const deadRedis = `redis://127.0.0.1:${await freePort()}`;
    const server = await startServer(
      { databaseUrl: inject('databaseUrl'), redisUrl: deadRedis, jwtSecret: TEST_JWT_SECRET, crmUrl: CRM_URL, port: 0 },
      { logger: silentLogger, hostname: '127.0.0.1' },
    );
    try {
      const response = await fetch(`${server.url}/health`);
      const body = (await response.json()) as { status: string; checks: Record<string, string> };

      expect(response.status).toBe(503);
      expect(body.status).toBe('unavailable');
      expect(body.checks.database).toBe('ok');
      expect(body.checks.redis).not.toBe('ok');
    } finally {
      await server.close();
    }
  });

  it('answers 503 naming the database when Postgres is unreachable', async () => {
    const deadDatabase = `postgres://postgres:postgres@127.0.0.1:${await freePort()}/nothing`;
    const server = await startServer(
      { databaseUrl: deadDatabase, redisUrl: inject('redisUrl'), jwtSecret: TEST_JWT_SECRET, crmUrl: CRM_URL, port: 0 },
      { logger: silentLogger, hostname: '127.0.0.1' },
    );
    try {
      const response = await fetch(`${server.url}/health`);
      const body = (await response.json()) as { status: string; checks: Record<string, string> };

      expect(response.status).toBe(503);
      expect(body.checks.database).not.toBe('ok');
      expect(body.checks.redis).toBe('ok');
    } finally {
      await server.close();
    }
  });
});
