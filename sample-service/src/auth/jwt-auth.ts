// Bearer-token authentication (HS256 JWTs verified with jose) and role checks, as Hono middleware.
// 401: no token, malformed or expired token, bad signature. 403: a valid token whose role is not allowed.
import { createMiddleware } from 'hono/factory';
import { jwtVerify } from 'jose';
import type { Clock } from '../ports.js';

export interface AuthClaims {
  sub: string;
  role: string;
}

export type AuthEnv = { Variables: { auth: AuthClaims } };

export interface JwtAuthOptions {
  secret: string;
  clock: Clock;
}

function unauthorized(message: string): Response {
  return Response.json(
    { error: 'unauthorized', message },
    { status: 401, headers: { 'www-authenticate': 'Bearer realm="sample-service"' } },
  );
}

export function requireAuth(options: JwtAuthOptions) {
  const key = new TextEncoder().encode(options.secret);
  return createMiddleware<AuthEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match?.[1]) return unauthorized('send an Authorization: Bearer <token> header');
    try {
      const { payload } = await jwtVerify(match[1], key, {
        algorithms: ['HS256'],
        currentDate: options.clock.now(),
      });
      if (typeof payload.sub !== 'string' || typeof payload.role !== 'string') {
        return unauthorized('token must carry sub and role claims');
      }
      c.set('auth', { sub: payload.sub, role: payload.role });
    } catch {
      return unauthorized('token is invalid or expired');
    }
    await next();
  });
}

export function requireRole(...roles: string[]) {
  return createMiddleware<AuthEnv>(async (c, next) => {
    const { role } = c.get('auth');
    if (!roles.includes(role)) {
      return c.json({ error: 'forbidden', message: `role ${role} may not do this; needs one of: ${roles.join(', ')}` }, 403);
    }
    await next();
  });
}
