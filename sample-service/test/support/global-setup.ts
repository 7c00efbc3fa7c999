// Vitest globalSetup for the integration suite. When DATABASE_URL / REDIS_URL are set (backend-ci provisions the
// services and runs `db:migrate` itself) they are used as they are and nothing is started. Otherwise it starts
// embedded Postgres (and runs the migrations) and/or a redis-server, and stops whatever it started when the run ends,
// whether tests passed or not. Tests read the URLs with inject('databaseUrl') / inject('redisUrl').
import { runner } from 'node-pg-migrate';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, startRedisServer, type StartedService } from './services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
  }
}

export async function migrate(databaseUrl: string): Promise<void> {
  await runner({
    databaseUrl,
    dir: new URL('../../migrations', import.meta.url).pathname,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    log: () => {},
  });
}

const log = (message: string) => process.stderr.write(`[global-setup] ${message}\n`);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: StartedService[] = [];
  const teardown = async () => {
    await Promise.all(started.splice(0).map((service) => service.stop()));
  };
  try {
    let databaseUrl = process.env.DATABASE_URL;
    if (databaseUrl) {
      log('using Postgres from DATABASE_URL (expects `npm run db:migrate` to have run)');
    } else {
      const postgres = await startEmbeddedPostgres();
      started.push(postgres);
      databaseUrl = postgres.url;
      await migrate(databaseUrl);
      log(`started embedded Postgres on ${new URL(databaseUrl).port} and ran the migrations`);
    }
    let redisUrl = process.env.REDIS_URL;
    if (redisUrl) {
      log('using Redis from REDIS_URL');
    } else {
      const redis = await startRedisServer();
      started.push(redis);
      redisUrl = redis.url;
      log(`started redis-server on ${new URL(redisUrl).port}`);
    }
    project.provide('databaseUrl', databaseUrl);
    project.provide('redisUrl', redisUrl);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
