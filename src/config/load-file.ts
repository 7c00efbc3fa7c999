/**
 * Reads backend-ci.config.json (JSON with comments and trailing commas allowed) and validates it.
 * Every problem is reported as `FILE:LINE:COL: key.path: "bad value" is not allowed; allowed values: ...`.
 */
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { configSchema, type ConfigFile } from './schema.js';
import { ConfigError, describeIssue } from './errors.js';

export const CONFIG_FILE_NAME = 'backend-ci.config.json';

function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}

/** Parses and validates config text; `label` is the file name used in messages. */
export function parseConfigText(text: string, label: string): ConfigFile {
  if (text.trim() === '') throw new ConfigError([`${label}: the file is empty; write a JSON object such as {}`]);
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0 || !tree) {
    const problems = errors.slice(0, 5).map((e) => {
      const { line, col } = lineCol(text, e.offset);
      return `${label}:${line}:${col}: invalid JSON (${printParseErrorCode(e.error)}); fix the syntax at this position`;
    });
    throw new ConfigError(problems.length ? problems : [`${label}:1:1: no JSON value found; write a JSON object such as {}`]);
  }
  const data: unknown = JSON.parse(JSON.stringify(nodeValue(tree)));
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError([`${label}:1:1: the config must be a JSON object ({ ... }), not ${Array.isArray(data) ? 'a list' : typeof data}`]);
  }
  const parsed = configSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const { path, message } = describeIssue(issue, data, configSchema);
    const node = findNodeAtLocation(tree, path as (string | number)[]);
    const at = node ? lineCol(text, node.parent?.type === 'property' ? node.parent.offset : node.offset) : { line: 1, col: 1 };
    return `${label}:${at.line}:${at.col}: ${message}`;
  });
  throw new ConfigError(problems);
}

function nodeValue(node: JsonNode): unknown {
  switch (node.type) {
    case 'object': {
      const obj: Record<string, unknown> = {};
      for (const prop of node.children ?? []) {
        const [k, v] = prop.children ?? [];
        if (k && v) obj[String(k.value)] = nodeValue(v);
      }
      return obj;
    }
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}
