import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const valid = {
  DATABASE_URL: 'postgres://app:secret@db:5432/app',
  REDIS_URL: 'redis://cache:6379',
  JWT_SECRET: 'x'.repeat(32),
  CRM_URL: 'https://crm.example.com',
};

function problems(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reads a valid environment and defaults PORT to 3000', () => {
    expect(loadConfig(valid)).toEqual({
      databaseUrl: valid.DATABASE_URL,
      redisUrl: valid.REDIS_URL,
      jwtSecret: valid.JWT_SECRET,
      crmUrl: valid.CRM_URL,
      port: 3000,
    });
  });

  it('reads PORT when set', () => {
    expect(loadConfig({ ...valid, PORT: '8080' }).port).toBe(8080);
  });

  it('reports every missing variable, one line each, saying what to set', () => {
    expect(problems({})).toEqual([
      'DATABASE_URL is not set: set it to a Postgres URL such as postgres://user:pass@localhost:5432/app',
      'REDIS_URL is not set: set it to a Redis URL such as redis://localhost:6379',
      'JWT_SECRET is not set: set it to a random secret of at least 32 characters',
      'CRM_URL is not set: set it to the CRM base URL such as https://crm.example.com',
    ]);
  });

  it('treats an empty variable as missing', () => {
    expect(problems({ ...valid, DATABASE_URL: '' })).toEqual([
      'DATABASE_URL is not set: set it to a Postgres URL such as postgres://user:pass@localhost:5432/app',
    ]);
  });

  it('rejects URLs of the wrong kind, a short secret and a bad port, naming each variable', () => {
    const lines = problems({
      DATABASE_URL: 'mysql://db/app',
      REDIS_URL: 'not a url',
      JWT_SECRET: 'short',
      CRM_URL: 'ftp://crm',
      PORT: '70000',
    });

    expect(lines.map((line) => line.split(' ')[0])).toEqual(['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'CRM_URL', 'PORT']);
    expect(lines[0]).toContain('must be a postgres:// or postgresql:// URL');
    expect(lines[2]).toBe('JWT_SECRET is too short: use a random secret of at least 32 characters');
    expect(lines[4]).toBe('PORT must be an integer between 0 and 65535 (default 3000)');
  });

  it('rejects a non-numeric PORT', () => {
    expect(problems({ ...valid, PORT: 'http' })).toEqual(['PORT must be an integer between 0 and 65535 (default 3000)']);
  });
});
