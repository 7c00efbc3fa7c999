import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createUserBody, listUsersQuery, updateUserBody } from '../../src/users/user-schemas.js';

const fieldErrors = (schema: z.ZodType, input: unknown) => {
  const result = schema.safeParse(input);
  return result.success ? null : z.flattenError(result.error);
};

describe('POST /users body', () => {
  it('trims and lower-cases the email and trims the name', () => {
    expect(createUserBody.parse({ email: '  Ada@Example.TEST ', name: ' Ada ' })).toEqual({ email: 'ada@example.test', name: 'Ada' });
  });

  it('says which fields are missing', () => {
    expect(fieldErrors(createUserBody, {})?.fieldErrors).toEqual({ email: ['email is required'], name: ['name is required'] });
  });

  it.each([
    [{ email: 'nope', name: 'A' }, { email: ['email must be a valid email address'] }],
    [{ email: 42, name: 'A' }, { email: ['email must be a string'] }],
    [{ email: 'a@example.test', name: '   ' }, { name: ['name must not be empty'] }],
    [{ email: `${'a'.repeat(250)}@example.test`, name: 'A' }, { email: ['email is too long (max 254)'] }],
  ])('rejects %j', (input, expected) => {
    expect(fieldErrors(createUserBody, input)?.fieldErrors).toEqual(expected);
  });
});

describe('PATCH /users/:id body', () => {
  it('accepts a partial change', () => {
    expect(updateUserBody.parse({ name: 'B' })).toEqual({ name: 'B' });
  });

  it('rejects an empty change and unknown fields', () => {
    expect(fieldErrors(updateUserBody, {})?.formErrors).toEqual(['send at least one of email, name']);
    expect(fieldErrors(updateUserBody, { name: 'B', role: 'admin' })?.formErrors).toEqual(['Unrecognized key: "role"']);
  });
});

describe('GET /users query', () => {
  it('defaults limit to 20 and converts numbers', () => {
    expect(listUsersQuery.parse({})).toEqual({ limit: 20 });
    expect(listUsersQuery.parse({ limit: '5', page: '2', q: 'ada' })).toEqual({ limit: 5, page: 2, q: 'ada' });
  });

  it('rejects out-of-range numbers and cursor together with page', () => {
    expect(fieldErrors(listUsersQuery, { limit: '500' })?.fieldErrors).toEqual({ limit: ['limit must be between 1 and 100'] });
    expect(fieldErrors(listUsersQuery, { page: '1.5' })?.fieldErrors).toEqual({ page: ['page must be a positive integer'] });
    expect(fieldErrors(listUsersQuery, { cursor: 'abc', page: '2' })?.fieldErrors).toEqual({
      cursor: ['use either cursor or page, not both'],
    });
  });
});
