// Service configuration, read from environment variables and validated with zod at start.
// A bad environment is reported as one line per variable (what is wrong and what to set), never a stack trace.
import { z } from 'zod';

const required = (name: string, hint: string) => (issue: { input?: unknown }) =>
  issue.input === undefined || issue.input === '' ? `${name} is not set: ${hint}` : undefined;

function urlWithProtocols(name: string, protocols: readonly string[], hint: string) {
  return z
    .string({ error: required(name, hint) })
    .min(1, { error: `${name} is not set: ${hint}` })
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      { error: `${name} must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL: ${hint}` },
    );
}

const envSchema = z.object({
  DATABASE_URL: urlWithProtocols(
    'DATABASE_URL',
    ['postgres:', 'postgresql:'],
    'set it to a Postgres URL such as postgres://user:pass@localhost:5432/app',
  ),
  REDIS_URL: urlWithProtocols('REDIS_URL', ['redis:', 'rediss:'], 'set it to a Redis URL such as redis://localhost:6379'),
  JWT_SECRET: z
    .string({ error: required('JWT_SECRET', 'set it to a random secret of at least 32 characters') })
    .min(32, { error: 'JWT_SECRET is too short: use a random secret of at least 32 characters' }),
  CRM_URL: urlWithProtocols('CRM_URL', ['http:', 'https:'], 'set it to the CRM base URL such as https://crm.example.com'),
  PORT: z
    .string()
    .optional()
    .transform((value) => (value === undefined || value === '' ? 3000 : Number(value)))
    .refine((port) => Number.isInteger(port) && port >= 0 && port <= 65535, {
      error: 'PORT must be an integer between 0 and 65535 (default 3000)',
    }),
});

export interface Config {
  databaseUrl: string;
  redisUrl: string;
  jwtSecret: string;
  crmUrl: string;
  port: number;
}

/** Thrown by loadConfig; `problems` holds one human-readable line per invalid variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const byVariable = new Map<string, string>();
    for (const issue of result.error.issues) {
      const variable = String(issue.path[0] ?? 'environment');
      if (!byVariable.has(variable)) byVariable.set(variable, issue.message);
    }
    throw new ConfigError([...byVariable.values()]);
  }
  const valid = result.data;
  return {
    databaseUrl: valid.DATABASE_URL,
    redisUrl: valid.REDIS_URL,
    jwtSecret: valid.JWT_SECRET,
    crmUrl: valid.CRM_URL,
    port: valid.PORT,
  };
}
