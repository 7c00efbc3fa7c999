// The HTTP application: routes wired to services passed in. No I/O happens here; see server.ts for the real wiring.
import { Hono } from 'hono';
import { requireAuth, requireRole, type AuthEnv, type JwtAuthOptions } from './auth/jwt-auth.js';
import { runHealthChecks, type HealthCheck } from './health/health.js';
import type { Logger } from './ports.js';
import { userRoutes } from './users/user-routes.js';
import { userIdParam } from './users/user-schemas.js';
import type { UserService } from './users/user-service.js';

export interface AppDeps {
  users: UserService;
  auth: JwtAuthOptions;
  healthChecks: readonly HealthCheck[];
  logger: Logger;
}

/** Roles allowed to read their own profile; other roles (e.g. machine tokens with role "service") get 403. */
export const PROFILE_ROLES = ['user', 'admin'] as const;

export function createApp(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.get('/health', async (c) => {
    const report = await runHealthChecks(deps.healthChecks);
    return c.json(report, report.status === 'ok' ? 200 : 503);
  });

  app.route('/users', userRoutes(deps.users));

  app.get('/profile', requireAuth(deps.auth), requireRole(...PROFILE_ROLES), async (c) => {
    const { sub, role } = c.get('auth');
    const user = userIdParam.safeParse(sub).success ? await deps.users.get(sub) : null;
    if (!user) return c.json({ error: 'not_found', message: 'the token names a user that does not exist' }, 404);
    return c.json({ role, user });
  });

  app.notFound((c) => c.json({ error: 'not_found', message: `no route for ${c.req.method} ${c.req.path}` }, 404));

  app.onError((error, c) => {
    deps.logger.error('unhandled error', { method: c.req.method, path: c.req.path, error: String(error) });
    return c.json({ error: 'internal', message: 'internal server error' }, 500);
  });

  return app;
}
