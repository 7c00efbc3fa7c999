// Turns zod failures into the API's 400 body: { error: 'validation_failed', fields: { email: ['...'] }, errors: [...] }.
import type { Context } from 'hono';
import { z } from 'zod';

export type Parsed<T> = { ok: true; data: T } | { ok: false; response: Response };

export function parseOr400<S extends z.ZodType>(c: Context, schema: S, input: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  const { formErrors, fieldErrors } = z.flattenError(result.error);
  return {
    ok: false,
    response: c.json({ error: 'validation_failed', fields: fieldErrors, errors: formErrors }, 400),
  };
}

/** Reads a JSON body; a missing or malformed body is a 400 saying so. */
export async function readJson(c: Context): Promise<Parsed<unknown>> {
  try {
    return { ok: true, data: await c.req.json() };
  } catch {
    return {
      ok: false,
      response: c.json({ error: 'invalid_json', message: 'send a JSON object with content-type: application/json' }, 400),
    };
  }
}
