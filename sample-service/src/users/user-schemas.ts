// Request validation for the user routes. Emails are trimmed and lower-cased so uniqueness is case-insensitive.
import { z } from 'zod';

const missingOr = (field: string, otherwise: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `${field} is required` : otherwise;

const email = z
  .string({ error: missingOr('email', 'email must be a string') })
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: 'email must be a valid email address' }).max(254, { error: 'email is too long (max 254)' }));

const name = z
  .string({ error: missingOr('name', 'name must be a string') })
  .trim()
  .min(1, { error: 'name must not be empty' })
  .max(200, { error: 'name is too long (max 200)' });

export const createUserBody = z.object({ email, name });

export const updateUserBody = z
  .object({ email: email.optional(), name: name.optional() })
  .strict()
  .refine((body) => body.email !== undefined || body.name !== undefined, {
    error: 'send at least one of email, name',
  });

const positiveInt = (field: string, max?: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: `${field} must be a positive integer` })
    .transform(Number)
    .refine((n) => n >= 1 && (max === undefined || n <= max), {
      error: max === undefined ? `${field} must be at least 1` : `${field} must be between 1 and ${max}`,
    });

export const listUsersQuery = z
  .object({
    limit: positiveInt('limit', 100).optional().default(20),
    cursor: z.string().min(1, { error: 'cursor must not be empty' }).optional(),
    page: positiveInt('page').optional(),
    q: z.string().max(200, { error: 'q is too long (max 200)' }).optional(),
  })
  .refine((query) => query.cursor === undefined || query.page === undefined, {
    error: 'use either cursor or page, not both',
    path: ['cursor'],
  });

export const userIdParam = z.uuid();
