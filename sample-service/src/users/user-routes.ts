// /users routes: HTTP in, UserService calls, HTTP out.
import { Hono, type Context } from 'hono';
import { parseOr400, readJson } from '../http/validation.js';
import { DuplicateEmailError } from './user.js';
import { createUserBody, listUsersQuery, updateUserBody, userIdParam } from './user-schemas.js';
import { InvalidCursorError, type UserService } from './user-service.js';

const notFound = (c: Context) => c.json({ error: 'not_found', message: 'no user with this id' }, 404);
const conflict = (c: Context, error: DuplicateEmailError) =>
  c.json({ error: 'email_taken', message: error.message, fields: { email: ['email is already registered'] } }, 409);

/** Ids that are not UUIDs cannot name a user: they are answered 404 without a query. */
const validId = (id: string): boolean => userIdParam.safeParse(id).success;

export function userRoutes(users: UserService): Hono {
  const app = new Hono();

  app.post('/', async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const input = parseOr400(c, createUserBody, body.data);
    if (!input.ok) return input.response;
    try {
      const user = await users.create(input.data);
      return c.json(user, 201, { location: `/users/${user.id}` });
    } catch (error) {
      if (error instanceof DuplicateEmailError) return conflict(c, error);
      throw error;
    }
  });

  app.get('/', async (c) => {
    const query = parseOr400(c, listUsersQuery, c.req.query());
    if (!query.ok) return query.response;
    const { limit, cursor, page, q } = query.data;
    try {
      return c.json(await users.list({ limit, cursor, page, search: q }));
    } catch (error) {
      if (error instanceof InvalidCursorError) {
        return c.json({ error: 'validation_failed', fields: { cursor: [error.message] }, errors: [] }, 400);
      }
      throw error;
    }
  });

  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    const user = validId(id) ? await users.get(id) : null;
    return user ? c.json(user) : notFound(c);
  });

  app.patch('/:id', async (c) => {
    const id = c.req.param('id');
    if (!validId(id)) return notFound(c);
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const changes = parseOr400(c, updateUserBody, body.data);
    if (!changes.ok) return changes.response;
    try {
      const user = await users.update(id, changes.data);
      return user ? c.json(user) : notFound(c);
    } catch (error) {
      if (error instanceof DuplicateEmailError) return conflict(c, error);
      throw error;
    }
  });

  app.delete('/:id', async (c) => {
    const id = c.req.param('id');
    const removed = validId(id) && (await users.remove(id));
    return removed ? c.body(null, 204) : notFound(c);
  });

  return app;
}
