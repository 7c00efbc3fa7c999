// The JWT middleware on a minimal Hono app, with the clock passed in so expiry is tested without waiting.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { requireAuth, requireRole, type AuthEnv } from '../../src/auth/jwt-auth.js';
import { ManualClock } from '../support/in-memory.js';
import { signToken, TEST_JWT_SECRET } from '../support/tokens.js';

const issuedAt = new Date('2026-01-01T00:00:00Z');
const clock = new ManualClock(issuedAt);

const app = new Hono<AuthEnv>();
app.get('/me', requireAuth({ secret: TEST_JWT_SECRET, clock }), (c) => c.json(c.get('auth')));
app.get('/admin', requireAuth({ secret: TEST_JWT_SECRET, clock }), requireRole('admin'), (c) => c.text('ok'));

const get = (path: string, authorization?: string) =>
  app.request(path, authorization ? { headers: { authorization } } : {});

describe('requireAuth', () => {
  it('passes the verified sub and role on to the handler', async () => {
    const token = await signToken({ sub: 'u-1', role: 'user', issuedAt });

    const response = await get('/me', `Bearer ${token}`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sub: 'u-1', role: 'user' });
  });

  it.each([
    ['no header', undefined],
    ['another scheme', 'Basic abc'],
    ['an empty bearer', 'Bearer '],
    ['garbage', 'Bearer not.a.token'],
  ])('answers 401 with a Bearer challenge for %s', async (_label, header) => {
    const response = await get('/me', header);

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="sample-service"');
  });

  it('answers 401 for a token signed with another secret', async () => {
    const token = await signToken({ sub: 'u-1', issuedAt, secret: 'y'.repeat(32) });

    expect((await get('/me', `Bearer ${token}`)).status).toBe(401);
  });

  it('answers 401 once the token has expired by the injected clock', async () => {
    const token = await signToken({ sub: 'u-1', issuedAt, expiresAt: new Date(issuedAt.getTime() + 60_000) });

    expect((await get('/me', `Bearer ${token}`)).status).toBe(200);
    const later = new ManualClock(new Date(issuedAt.getTime() + 61_000));
    const expiredApp = new Hono<AuthEnv>().get('/me', requireAuth({ secret: TEST_JWT_SECRET, clock: later }), (c) => c.text('ok'));
    expect((await expiredApp.request('/me', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('answers 401 for a token without a role claim', async () => {
    const { SignJWT } = await import('jose');
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u-1')
      .setIssuedAt(issuedAt.getTime() / 1000)
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));

    expect((await get('/me', `Bearer ${token}`)).status).toBe(401);
  });

  it('answers 401 for an unsigned (alg "none") token', async () => {
    const { UnsecuredJWT } = await import('jose');
    const token = new UnsecuredJWT({ role: 'admin' }).setSubject('u-1').encode();

    expect((await get('/me', `Bearer ${token}`)).status).toBe(401);
  });
});

describe('requireRole', () => {
  it('answers 403 naming the roles needed when the role does not match', async () => {
    const token = await signToken({ sub: 'u-1', role: 'user', issuedAt });

    const response = await get('/admin', `Bearer ${token}`);

    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: 'forbidden', message: 'role user may not do this; needs one of: admin' });
  });

  it('lets a matching role through', async () => {
    const token = await signToken({ sub: 'u-1', role: 'admin', issuedAt });

    expect((await get('/admin', `Bearer ${token}`)).status).toBe(200);
  });
});
