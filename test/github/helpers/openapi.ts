/**
 * GitHub's published OpenAPI description (@octokit/openapi, api.github.com, dereferenced), reduced to the
 * operations the fake server plays, with ajv validators for their request bodies, query/path parameters and
 * responses. The 73 MB description is parsed once and the selected operations are cached in the temp dir.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

export const OPERATIONS = [
  ['get', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['post', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['patch', '/repos/{owner}/{repo}/issues/comments/{comment_id}'],
  ['delete', '/repos/{owner}/{repo}/issues/comments/{comment_id}'],
  ['post', '/repos/{owner}/{repo}/check-runs'],
  ['patch', '/repos/{owner}/{repo}/check-runs/{check_run_id}'],
] as const;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: object;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: { 'application/json'?: { schema: object } } };
  responses: Record<string, { content?: { 'application/json'?: { schema: object } } }>;
}

function loadOperations(): Record<string, Operation> {
  const pkgPath = require.resolve('@octokit/openapi/package.json');
  const version = (JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string }).version;
  const cache = join(tmpdir(), `backend-ci-openapi-${version}-v1.json`);
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8')) as Record<string, Operation>;
  const spec = JSON.parse(readFileSync(join(pkgPath, '..', 'generated', 'api.github.com.deref.json'), 'utf8')) as {
    paths: Record<string, Record<string, Operation>>;
  };
  const ops: Record<string, Operation> = {};
  for (const [method, path] of OPERATIONS) {
    const op = spec.paths[path]?.[method];
    if (!op) throw new Error(`@octokit/openapi ${version} has no ${method.toUpperCase()} ${path}`);
    ops[`${method.toUpperCase()} ${path}`] = op;
  }
  const tmp = `${cache}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(ops));
  renameSync(tmp, cache);
  return ops;
}

/**
 * OpenAPI 3.0 `nullable: true` means "or null". Ajv understands `nullable` for `type`, but an `enum` next to it
 * still rejects null (GitHub writes `{type: string, nullable: true, enum: [...]}`), so null joins such enums.
 */
function nullableEnums(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) nullableEnums(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const schema = node as { nullable?: boolean; enum?: unknown[] };
  if (schema.nullable === true && Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
  for (const value of Object.values(node)) nullableEnums(value);
}

export interface OperationValidators {
  key: string;
  method: string;
  pathTemplate: string;
  pathPattern: RegExp;
  pathParams: string[];
  params: Parameter[];
  body?: ValidateFunction;
  bodyRequired: boolean;
  param(name: string): ValidateFunction | undefined;
  response(status: number): ValidateFunction | undefined;
}

export function loadValidators(): OperationValidators[] {
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: false });
  // ajv-formats is CommonJS: under NodeNext its default export arrives as the module object.
  const addFormats = ((ajvFormats as unknown as { default?: unknown }).default ?? ajvFormats) as (ajv: Ajv) => Ajv;
  addFormats(ajv);
  const ops = loadOperations();
  nullableEnums(ops);
  return Object.entries(ops).map(([key, op]) => {
    const [method, pathTemplate] = key.split(' ') as [string, string];
    const pathParams: string[] = [];
    const pathPattern = new RegExp(
      `^${pathTemplate.replace(/\{(\w+)\}/g, (_, name: string) => {
        pathParams.push(name);
        return '([^/]+)';
      })}$`,
    );
    const params = op.parameters ?? [];
    const paramValidators = new Map(params.map((p) => [p.name, ajv.compile(p.schema)]));
    const bodySchema = op.requestBody?.content['application/json']?.schema;
    const responseValidators = new Map<number, ValidateFunction>();
    return {
      key,
      method,
      pathTemplate,
      pathPattern,
      pathParams,
      params,
      ...(bodySchema ? { body: ajv.compile(bodySchema) } : {}),
      bodyRequired: op.requestBody?.required === true,
      param: (name: string) => paramValidators.get(name),
      response(status: number) {
        if (!responseValidators.has(status)) {
          const schema = op.responses[String(status)]?.content?.['application/json']?.schema;
          if (!schema) return undefined;
          responseValidators.set(status, ajv.compile(schema));
        }
        return responseValidators.get(status);
      },
    };
  });
}
