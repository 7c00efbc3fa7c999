// In-memory implementations of the service's ports, for unit tests of the services.
import { randomUUID } from 'node:crypto';
import type { CrmClient, CrmContact } from '../../src/crm/crm-client.js';
import type { Cache, Clock, Logger } from '../../src/ports.js';
import { DuplicateEmailError, type User } from '../../src/users/user.js';
import type { UserRepository } from '../../src/users/user-repository.js';

export class InMemoryUsers implements UserRepository {
  readonly rows = new Map<string, User>();

  async insert(user: { email: string; name: string; createdAt: Date }): Promise<User> {
    if ([...this.rows.values()].some((row) => row.email === user.email)) throw new DuplicateEmailError(user.email);
    const at = user.createdAt.toISOString();
    const row: User = { id: randomUUID(), email: user.email, name: user.name, crmStatus: 'pending', crmId: null, createdAt: at, updatedAt: at };
    this.rows.set(row.id, row);
    return { ...row };
  }

  async findById(id: string): Promise<User | null> {
    const row = this.rows.get(id);
    return row ? { ...row } : null;
  }

  async list(query: { limit: number; after?: { createdAt: string; id: string } | undefined; offset?: number | undefined; search?: string | undefined }): Promise<User[]> {
    const sorted = [...this.rows.values()]
      .filter((row) => !query.search || row.email.includes(query.search) || row.name.includes(query.search))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
      .filter((row) => !query.after || row.createdAt > query.after.createdAt || (row.createdAt === query.after.createdAt && row.id > query.after.id));
    const offset = query.offset ?? 0;
    return sorted.slice(offset, offset + query.limit).map((row) => ({ ...row }));
  }

  async update(id: string, changes: { email?: string | undefined; name?: string | undefined }, updatedAt: Date): Promise<User | null> {
    const row = this.rows.get(id);
    if (!row) return null;
    if (changes.email && [...this.rows.values()].some((other) => other.id !== id && other.email === changes.email)) {
      throw new DuplicateEmailError(changes.email);
    }
    Object.assign(row, { ...(changes.email ? { email: changes.email } : {}), ...(changes.name ? { name: changes.name } : {}), updatedAt: updatedAt.toISOString() });
    return { ...row };
  }

  async setCrmStatus(id: string, status: User['crmStatus'], crmId: string | null): Promise<User | null> {
    const row = this.rows.get(id);
    if (!row) return null;
    Object.assign(row, { crmStatus: status, crmId });
    return { ...row };
  }

  async delete(id: string): Promise<boolean> {
    return this.rows.delete(id);
  }
}

export class InMemoryCache implements Cache {
  readonly entries = new Map<string, { value: string; ttlSeconds: number }>();
  failing = false;

  async get(key: string): Promise<string | null> {
    if (this.failing) throw new Error('cache down');
    return this.entries.get(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (this.failing) throw new Error('cache down');
    this.entries.set(key, { value, ttlSeconds });
  }

  async delete(key: string): Promise<void> {
    if (this.failing) throw new Error('cache down');
    this.entries.delete(key);
  }
}

/** A CRM that records contacts and answers with the outcomes queued in `outcomes` (default: success). */
export class RecordingCrm implements CrmClient {
  readonly contacts: CrmContact[] = [];
  outcomes: Array<Error | string> = [];
  private gate: Promise<void> | null = null;

  /** Makes calls wait until the returned function is called, like a slow CRM. */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise((resolve) => (release = resolve));
    return () => {
      this.gate = null;
      release();
    };
  }

  async registerContact(contact: CrmContact): Promise<{ crmId: string }> {
    this.contacts.push(contact);
    if (this.gate) await this.gate;
    const outcome = this.outcomes.shift() ?? `crm-${this.contacts.length}`;
    if (outcome instanceof Error) throw outcome;
    return { crmId: outcome };
  }
}

export class ManualClock implements Clock {
  constructor(private current = new Date('2026-01-01T00:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export class RecordingLogger implements Logger {
  readonly entries: Array<{ level: string; message: string; fields?: Record<string, unknown> | undefined }> = [];
  info(message: string, fields?: Record<string, unknown>) {
    this.entries.push({ level: 'info', message, fields });
  }
  warn(message: string, fields?: Record<string, unknown>) {
    this.entries.push({ level: 'warn', message, fields });
  }
  error(message: string, fields?: Record<string, unknown>) {
    this.entries.push({ level: 'error', message, fields });
  }
}
