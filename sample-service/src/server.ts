// Real wiring: a pg pool, a Redis client, the CRM over fetch, the system clock, served over HTTP.
// startServer() resolves once the port is listening; close() stops accepting requests, waits for CRM registrations
// in flight, then closes the pool and Redis.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createApp } from './app.js';
import { createRedisCache } from './cache/redis-cache.js';
import type { Config } from './config.js';
import { createCrmClient, type CrmClientOptions } from './crm/crm-client.js';
import { systemClock, type Clock, type Logger } from './ports.js';
import { createPgUserRepository } from './users/user-repository.js';
import { createUserService } from './users/user-service.js';

export interface RunningServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

export interface ServerOptions {
  logger: Logger;
  clock?: Clock;
  /** Overrides of the CRM client's timeout and retry settings (tests shorten them). */
  crm?: Omit<CrmClientOptions, 'baseUrl'>;
  hostname?: string;
}

export async function startServer(config: Config, options: ServerOptions): Promise<RunningServer> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10, connectionTimeoutMillis: 5000 });
  pool.on('error', (error) => logger.error('idle database client failed', { error: String(error) }));
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: true });
  redis.on('error', (error) => logger.warn('redis connection error', { error: String(error) }));

  const closeClients = async () => {
    await pool.end();
    redis.disconnect();
  };

  const crm = createCrmClient({
    baseUrl: config.crmUrl,
    onRetry: ({ attempt, error, retriesLeft }) =>
      logger.warn('CRM call failed; retrying', { attempt, error: error.message, retriesLeft }),
    ...options.crm,
  });
  const users = createUserService({
    users: createPgUserRepository(pool),
    cache: createRedisCache(redis),
    crm,
    clock,
    logger,
  });
  const app = createApp({
    users,
    auth: { secret: config.jwtSecret, clock },
    logger,
    healthChecks: [
      { name: 'database', check: async () => void (await pool.query('SELECT 1')) },
      { name: 'redis', check: async () => void (await redis.ping()) },
    ],
  });

  try {
    await redis.connect();
  } catch (error) {
    // Redis is a cache: the service starts without it and /health reports it until it comes back.
    logger.warn('redis is not reachable at start', { error: String(error) });
  }

  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const created = serve({ fetch: app.fetch, port: config.port, hostname: options.hostname ?? '0.0.0.0' }, () =>
      resolve(created),
    );
    created.once('error', reject);
  }).catch(async (error: unknown) => {
    await closeClients();
    throw error;
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve, reject) => {
          server.close((error) => (error ? reject(error) : resolve()));
          if ('closeIdleConnections' in server) server.closeIdleConnections();
        });
        await users.drain(); // let CRM registrations in flight record their outcome while the pool is open
        await closeClients();
      })();
      return closing;
    },
  };
}
