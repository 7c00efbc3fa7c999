// Users in Postgres. The only module that knows the table's SQL.
import type { Db } from '../ports.js';
import type { UserCursor } from './cursor.js';
import { DuplicateEmailError, type CrmStatus, type User } from './user.js';

export interface NewUser {
  email: string;
  name: string;
  createdAt: Date;
}

export interface UserChanges {
  email?: string | undefined;
  name?: string | undefined;
}

export interface ListUsersQuery {
  limit: number;
  /** Keyset pagination: users strictly after this one. */
  after?: UserCursor | undefined;
  /** Offset pagination: skip this many users. */
  offset?: number | undefined;
  /** Case-insensitive substring of the email or the name. */
  search?: string | undefined;
}

export interface UserRepository {
  insert(user: NewUser): Promise<User>;
  findById(id: string): Promise<User | null>;
  list(query: ListUsersQuery): Promise<User[]>;
  update(id: string, changes: UserChanges, updatedAt: Date): Promise<User | null>;
  /** Records the outcome of the CRM registration; not a change by the user, so updatedAt is kept. */
  setCrmStatus(id: string, status: CrmStatus, crmId: string | null): Promise<User | null>;
  delete(id: string): Promise<boolean>;
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  crm_status: CrmStatus;
  crm_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const columns = 'id, email, name, crm_status, crm_id, created_at, updated_at';

function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    crmStatus: row.crm_status,
    crmId: row.crm_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function isUniqueEmailViolation(error: unknown): boolean {
  const pgError = error as { code?: unknown; constraint?: unknown };
  return pgError.code === '23505' && pgError.constraint === 'users_email_key';
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

export function createPgUserRepository(db: Db): UserRepository {
  return {
    async insert(user) {
      try {
        const { rows } = await db.query<UserRow>(
          `INSERT INTO users (email, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING ${columns}`,
          [user.email, user.name, user.createdAt],
        );
        return toUser(rows[0]!);
      } catch (error) {
        if (isUniqueEmailViolation(error)) throw new DuplicateEmailError(user.email);
        throw error;
      }
    },

    async findById(id) {
      const { rows } = await db.query<UserRow>(`SELECT ${columns} FROM users WHERE id = $1`, [id]);
      return rows[0] ? toUser(rows[0]) : null;
    },

    async list(query) {
      const conditions: string[] = [];
      const values: unknown[] = [];
      if (query.after) {
        values.push(query.after.createdAt, query.after.id);
        conditions.push(`(created_at, id) > ($${values.length - 1}, $${values.length})`);
      }
      if (query.search) {
        values.push(`%${escapeLike(query.search)}%`);
        conditions.push(`(email ILIKE $${values.length} OR name ILIKE $${values.length})`);
      }
      const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
      values.push(query.limit, query.offset ?? 0);
      const { rows } = await db.query<UserRow>(
        `SELECT ${columns} FROM users ${where} ORDER BY created_at, id LIMIT $${values.length - 1} OFFSET $${values.length}`,
        values,
      );
      return rows.map(toUser);
    },

    async update(id, changes, updatedAt) {
      try {
        const { rows } = await db.query<UserRow>(
          `UPDATE users SET email = COALESCE($2, email), name = COALESCE($3, name), updated_at = $4
           WHERE id = $1 RETURNING ${columns}`,
          [id, changes.email ?? null, changes.name ?? null, updatedAt],
        );
        return rows[0] ? toUser(rows[0]) : null;
      } catch (error) {
        if (isUniqueEmailViolation(error)) throw new DuplicateEmailError(changes.email ?? '');
        throw error;
      }
    },

    async setCrmStatus(id, status, crmId) {
      const { rows } = await db.query<UserRow>(
        `UPDATE users SET crm_status = $2, crm_id = $3 WHERE id = $1 RETURNING ${columns}`,
        [id, status, crmId],
      );
      return rows[0] ? toUser(rows[0]) : null;
    },

    async delete(id) {
      const { rowCount } = await db.query('DELETE FROM users WHERE id = $1', [id]);
      return (rowCount ?? 0) > 0;
    },
  };
}
