/**
 * The external provider against REAL services (started here by the embedded provider) and against a closed port.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedProvider } from '../../src/services/embedded.js';
import { createExternalProvider } from '../../src/services/external.js';
import { findFreePort } from '../../src/services/free-port.js';
import { redisCommands } from '../../src/services/redis-client.js';
import { parseServiceSpecs } from '../../src/services/spec.js';
import { ServiceStartError, type StartedServices } from '../../src/services/types.js';
import { context, thrown } from './helpers.js';

const base = mkdtempSync(join(tmpdir(), 'bci-external-'));
chmodSync(base, 0o755);
let real: StartedServices;

beforeAll(async () => {
  real = await createEmbeddedProvider().start(parseServiceSpecs('postgres,redis'), context(join(base, 'embedded')));
});
afterAll(async () => {
  await real?.stop();
  rmSync(base, { recursive: true, force: true });
});

function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = password;
  return u.toString();
}

describe('external provider', () => {
  it('checks services from DATABASE_URL / REDIS_URL with real queries and passes the URLs on', async () => {
    const ctx = context(join(base, 'unused'));
    const started = await createExternalProvider({ env: { ...real.env } }).start(
      parseServiceSpecs('postgres:18,redis'),
      ctx,
    );
    expect(started.env).toEqual(real.env);
    expect(started.services.map((s) => [s.envVar, s.actualVersion?.split('.')[0]])).toEqual([
      ['DATABASE_URL', '18'],
      ['REDIS_URL', '7'],
    ]);
    const pgPassword = new URL(real.env.DATABASE_URL!).password;
    expect(started.secrets).toEqual(expect.arrayContaining([pgPassword, real.env.DATABASE_URL]));
    expect(ctx.lines.join('\n')).not.toContain(pgPassword);

    await started.stop(); // not ours: stop() must leave them running
    expect(await redisCommands(real.env.REDIS_URL!, [['PING']], { timeoutMs: 5000 })).toEqual(['PONG']);
  });

  it('prefers explicit URLs over the environment', async () => {
    const started = await createExternalProvider({
      urls: { REDIS_URL: real.env.REDIS_URL },
      env: { REDIS_URL: 'redis://127.0.0.1:1' },
    }).start(parseServiceSpecs('redis'), context(base));
    expect(started.env.REDIS_URL).toBe(real.env.REDIS_URL);
  });

  it('warns, but goes on, when the running version differs from the requested one', async () => {
    const ctx = context(base);
    await createExternalProvider({ env: real.env }).start(parseServiceSpecs('postgres:16'), ctx);
    expect(ctx.lines.some((l) => /^warning: postgres:16 was requested but .* runs postgres 18/.test(l))).toBe(true);
  });

  it('names the env var to set when a URL is missing', async () => {
    const err = await thrown(() =>
      createExternalProvider({ env: { DATABASE_URL: real.env.DATABASE_URL } }).start(
        parseServiceSpecs('postgres,redis:7,postgres:15'),
        context(base),
      ),
    );
    expect(err).toBeInstanceOf(ServiceStartError);
    expect(err.message).toContain('redis:7 was requested from the external provider, but REDIS_URL is not set');
  });

  it('times out on a closed port with a clear message that masks the password', async () => {
    const port = await findFreePort();
    const url = `postgresql://app:topsecret@127.0.0.1:${port}/app`;
    const started = Date.now();
    const err = await thrown(() =>
      createExternalProvider({ env: { DATABASE_URL: url } }).start(
        parseServiceSpecs('postgres'),
        context(base, { readyTimeoutMs: 1500 }),
      ),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(err).toBeInstanceOf(ServiceStartError);
    expect(err.message).not.toContain('topsecret');
    expect(err.message).toContain(`postgres (DATABASE_URL): Postgres at postgresql://app:***@127.0.0.1:${port}/app`);
    expect(err.message).toContain('was not ready within 1.5 s');
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).toContain('nothing is listening there');
  });

  it('fails at once, masked, when Postgres rejects the password', async () => {
    const url = withPassword(real.env.DATABASE_URL!, 'wrong-password');
    const started = Date.now();
    const err = await thrown(() =>
      createExternalProvider({ env: { DATABASE_URL: url } }).start(parseServiceSpecs('postgres'), context(base)),
    );
    expect(Date.now() - started).toBeLessThan(5000); // well before the 30 s readiness timeout
    expect(err.message).toContain('rejected the credentials');
    expect(err.message).toContain('password authentication failed');
    expect(err.message).not.toContain('wrong-password');
  });

  it('fails at once, masked, when Redis rejects the password', async () => {
    const url = withPassword(real.env.REDIS_URL!, 'wrong-password');
    const err = await thrown(() =>
      createExternalProvider({ env: { REDIS_URL: url } }).start(parseServiceSpecs('redis'), context(base)),
    );
    expect(err.message).toMatch(/Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ rejected the credentials: WRONGPASS/);
    expect(err.message).not.toContain('wrong-password');
  });

  it('explains a URL of the wrong kind', async () => {
    const err = await thrown(() =>
      createExternalProvider({ env: { REDIS_URL: 'postgres://u:pw@h/db' } }).start(parseServiceSpecs('redis'), context(base)),
    );
    expect(err.message).toContain('Redis URL postgres://u:***@h/db has protocol postgres:; expected redis: or rediss:');
  });
});
