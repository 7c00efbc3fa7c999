import { describe, expect, it } from 'vitest';
import { envVarFor, envVarsFor, formatServiceSpec, parseServiceSpecs, ServiceSpecError } from '../../src/services/spec.js';

function parseError(text: string): string {
  try {
    parseServiceSpecs(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ServiceSpecError);
    return (err as Error).message;
  }
  throw new Error(`expected "${text}" to be rejected`);
}

describe('parseServiceSpecs', () => {
  it('parses kinds with and without versions', () => {
    expect(parseServiceSpecs('postgres:16,redis:7')).toEqual([
      { kind: 'postgres', version: '16' },
      { kind: 'redis', version: '7' },
    ]);
    expect(parseServiceSpecs('postgres')).toEqual([{ kind: 'postgres' }]);
    expect(parseServiceSpecs('Postgres:16.4')).toEqual([{ kind: 'postgres', version: '16.4' }]);
  });

  it('accepts several versions of one kind, in order', () => {
    expect(parseServiceSpecs('postgres:15,postgres:16,redis')).toEqual([
      { kind: 'postgres', version: '15' },
      { kind: 'postgres', version: '16' },
      { kind: 'redis' },
    ]);
  });

  it('parses kind=image entries', () => {
    expect(parseServiceSpecs('postgres=postgres:16-alpine, redis=ghcr.io/acme/redis:7@sha256:abc')).toEqual([
      { kind: 'postgres', image: 'postgres:16-alpine' },
      { kind: 'redis', image: 'ghcr.io/acme/redis:7@sha256:abc' },
    ]);
  });

  it('accepts whitespace and newlines as separators and ignores empty entries', () => {
    expect(parseServiceSpecs('\n  postgres:16\n  redis:7\n')).toEqual(parseServiceSpecs('postgres:16,redis:7'));
    expect(parseServiceSpecs('postgres,,redis,')).toEqual([{ kind: 'postgres' }, { kind: 'redis' }]);
    expect(parseServiceSpecs('')).toEqual([]);
    expect(parseServiceSpecs('  ')).toEqual([]);
  });

  it('names the bad entry, its position and the allowed kinds for an unknown kind', () => {
    const msg = parseError('postgres:16,mysql:8');
    expect(msg).toContain('"mysql:8"');
    expect(msg).toContain('entry 2');
    expect(msg).toContain('allowed kinds are postgres, redis');
    expect(msg).toContain('postgres:16,redis:7');
  });

  it('suggests postgres for postgresql', () => {
    expect(parseError('postgresql:16')).toContain('did you mean "postgres"?');
  });

  it('rejects malformed versions and images', () => {
    expect(parseError('postgres:')).toContain('"" is not a valid version');
    expect(parseError('redis:7!')).toContain('"7!" is not a valid version');
    expect(parseError('postgres=')).toContain('is not a valid image reference');
    expect(parseError('postgres:16=postgres:16-alpine')).toContain('not both');
  });

  it('rejects the same entry listed twice, naming both', () => {
    const msg = parseError('postgres:16,redis,postgres:16');
    expect(msg).toContain('entries 1 ("postgres:16") and 3 ("postgres:16") are the same service');
    expect(parseError('Redis,redis')).toContain('entries 1 ("redis") and 2 ("redis")');
  });

  it('rejects entries that would be exported under the same env var, naming it', () => {
    const msg = parseError('postgres:16,postgres:3,postgres');
    expect(msg).toContain('entries 2 ("postgres:3") and 3 ("postgres") would both be exported as DATABASE_URL_PG3');
  });
});

describe('envVarFor', () => {
  it('exports the first of each kind as DATABASE_URL / REDIS_URL', () => {
    expect(envVarFor({ kind: 'postgres', version: '16' }, 0)).toBe('DATABASE_URL');
    expect(envVarFor({ kind: 'redis' }, 0)).toBe('REDIS_URL');
  });

  it('suffixes further entries with their version, image tag, or position', () => {
    expect(envVarFor({ kind: 'postgres', version: '15' }, 1)).toBe('DATABASE_URL_PG15');
    expect(envVarFor({ kind: 'postgres', version: '16.4' }, 1)).toBe('DATABASE_URL_PG16_4');
    expect(envVarFor({ kind: 'postgres', image: 'registry:5000/pg:15-alpine' }, 1)).toBe('DATABASE_URL_PG15_ALPINE');
    expect(envVarFor({ kind: 'redis', version: '6' }, 1)).toBe('REDIS_URL_REDIS6');
    expect(envVarFor({ kind: 'postgres' }, 2)).toBe('DATABASE_URL_PG3');
  });

  it('numbers entries per kind in list order', () => {
    expect(envVarsFor(parseServiceSpecs('postgres:15,redis:7,postgres:16,redis:6'))).toEqual([
      'DATABASE_URL',
      'REDIS_URL',
      'DATABASE_URL_PG16',
      'REDIS_URL_REDIS6',
    ]);
  });

  it('formats specs back as the user writes them', () => {
    expect(parseServiceSpecs('postgres:16,redis,postgres=pg:15').map(formatServiceSpec)).toEqual([
      'postgres:16',
      'redis',
      'postgres=pg:15',
    ]);
  });
});
