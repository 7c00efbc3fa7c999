/**
 * Turns zod issues into one-line, actionable messages: which key, the bad value, and what is allowed.
 * Shared by the config file loader (which adds file:line:col) and the command-line flag parser.
 */
import type { z } from 'zod';

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

export type PathKey = string | number;

export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function dottedPath(path: readonly PropertyKey[]): string {
  return path
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${String(k)}`))
    .join('');
}

/** One message per issue; `path` is the key path in the user's input (issue.path, or deeper for unknown keys). */
export function describeIssue(
  issue: z.core.$ZodIssue,
  input: unknown,
  schema?: z.ZodType,
): { path: PropertyKey[]; message: string } {
  const path = [...issue.path];
  const value = valueAt(input, path);
  const where = dottedPath(path) || '(top level)';
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = schema ? objectKeysAt(schema, path) : [];
      const key = issue.keys[0]!;
      const keys = issue.keys.length > 1 ? `keys ${issue.keys.map((k) => `"${k}"`).join(', ')}` : `key "${key}"`;
      return {
        path: [...path, key],
        message: `${where}: unknown ${keys}${known.length ? `; allowed keys: ${known.join(', ')}` : ''}`,
      };
    }
    case 'invalid_value':
      return {
        path,
        message: `${where}: ${show(value)} is not allowed; allowed values: ${issue.values.map((v) => String(v)).join(', ')}`,
      };
    case 'invalid_type':
      return {
        path,
        message: `${where}: ${show(value)} is not ${article(issue.expected)}${hintFor(issue.expected)}`,
      };
    case 'too_small':
      return {
        path,
        message: `${where}: ${show(value)} is too small; it must be ${issue.inclusive === false ? '>' : '>='} ${String(
          issue.minimum,
        )}${issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' entries' : ''}`,
      };
    case 'too_big':
      return {
        path,
        message: `${where}: ${show(value)} is too big; it must be ${issue.inclusive === false ? '<' : '<='} ${String(issue.maximum)}`,
      };
    case 'invalid_format':
      return {
        path,
        message: `${where}: ${show(value)} is not valid; ${
          issue.format === 'starts_with' && 'prefix' in issue ? `it must start with "${String(issue.prefix)}"` : `expected ${issue.format}`
        }`,
      };
    case 'invalid_union':
      return { path, message: `${where}: ${show(value)} is not valid; ${unionHint(issue)}` };
    default:
      return { path, message: `${where}: ${show(value)}: ${issue.message}` };
  }
}

function article(expected: string): string {
  if (expected === 'int') return 'an integer';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function hintFor(expected: string): string {
  if (expected === 'object') return ' (a { ... } block)';
  if (expected === 'array') return ' (a [ ... ] list)';
  return '';
}

function unionHint(issue: z.core.$ZodIssueInvalidUnion): string {
  const kinds = new Set<string>();
  for (const branch of issue.errors) for (const sub of branch) if (sub.code === 'invalid_type') kinds.add(sub.expected);
  return kinds.size ? `expected ${[...kinds].map(article).join(' or ')}` : issue.message;
}

/** The keys an object schema accepts at `path` (unwrapping optional/nullable/default/array/record). */
export function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let cur: unknown = schema;
  const unwrap = (s: unknown): unknown => {
    let x = s as { unwrap?: () => unknown; def?: { type?: string } };
    while (x && typeof x.unwrap === 'function' && ['optional', 'nullable', 'default', 'prefault'].includes(x.def?.type ?? '')) {
      x = x.unwrap() as typeof x;
    }
    return x;
  };
  for (const key of path) {
    const s = unwrap(cur) as { def?: { type?: string }; shape?: Record<string, unknown>; element?: unknown; valueType?: unknown };
    if (s?.def?.type === 'object' && s.shape && typeof key === 'string') cur = s.shape[key];
    else if (s?.def?.type === 'array') cur = s.element;
    else if (s?.def?.type === 'record') cur = s.valueType;
    else return [];
  }
  const s = unwrap(cur) as { def?: { type?: string }; shape?: Record<string, unknown> };
  return s?.def?.type === 'object' && s.shape ? Object.keys(s.shape) : [];
}
