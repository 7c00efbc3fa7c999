/**
 * A local HTTP server (node:http) that plays the GitHub REST API for the endpoints the publisher uses: issue
 * comments (list with pagination, create, update, delete) and check runs (create, update). It records every
 * request, REJECTS requests that do not match GitHub's OpenAPI description (422, like GitHub), answers with bodies
 * that are themselves checked against the description's response schemas, enforces token permissions (403
 * "Resource not accessible by integration" for read-only tokens, 401 for unknown ones), and can inject faults.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadValidators, type OperationValidators } from './openapi.js';

export type Permission = 'write' | 'read';

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /** The OpenAPI operation, e.g. `PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}`. */
  operation?: string;
  body?: unknown;
  status: number;
}

export interface Fault {
  /** Operation key as in RecordedRequest.operation. */
  operation: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** How many requests to fail (default 1). */
  times?: number;
}

export interface StoredComment {
  id: number;
  issue: number;
  body: string;
  created_at: string;
  updated_at: string;
}

export interface StoredCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output: { title: string | null; summary: string | null };
  annotations: unknown[];
}

const DOCS = 'https://docs.github.com/rest';

const BOT_USER = {
  login: 'github-actions[bot]',
  id: 41898282,
  node_id: 'MDM6Qm90NDE4OTgyODI=',
  avatar_url: 'https://avatars.githubusercontent.com/in/15368?v=4',
  gravatar_id: '',
  url: 'https://api.github.com/users/github-actions%5Bbot%5D',
  html_url: 'https://github.com/apps/github-actions',
  followers_url: 'https://api.github.com/users/github-actions%5Bbot%5D/followers',
  following_url: 'https://api.github.com/users/github-actions%5Bbot%5D/following{/other_user}',
  gists_url: 'https://api.github.com/users/github-actions%5Bbot%5D/gists{/gist_id}',
  starred_url: 'https://api.github.com/users/github-actions%5Bbot%5D/starred{/owner}{/repo}',
  subscriptions_url: 'https://api.github.com/users/github-actions%5Bbot%5D/subscriptions',
  organizations_url: 'https://api.github.com/users/github-actions%5Bbot%5D/orgs',
  repos_url: 'https://api.github.com/users/github-actions%5Bbot%5D/repos',
  events_url: 'https://api.github.com/users/github-actions%5Bbot%5D/events{/privacy}',
  received_events_url: 'https://api.github.com/users/github-actions%5Bbot%5D/received_events',
  type: 'Bot',
  user_view_type: 'public',
  site_admin: false,
};

export interface FakeGitHubOptions {
  /** token → permission; requests with another token get 401. */
  tokens?: Record<string, Permission>;
  /** Hold list-comment responses until this many list requests are waiting (simulates racing jobs). */
  listBarrier?: number;
  /** Hold create-comment responses until this many creates are waiting. */
  createBarrier?: number;
}

export interface FakeGitHub {
  url: string;
  requests: RecordedRequest[];
  /** Requests rejected for not matching the OpenAPI description, with the reasons. */
  rejected: { request: RecordedRequest; problems: string[] }[];
  /** Our own responses that did not match the description (must stay empty). */
  responseProblems: string[];
  comments: StoredComment[];
  checkRuns: StoredCheckRun[];
  faults: Fault[];
  /** Seeds a comment (e.g. one from another tool or an older run). */
  addComment(issue: number, body: string): StoredComment;
  calls(operation: string): RecordedRequest[];
  close(): Promise<void>;
}

const OWNER_REPO = { owner: 'acme', repo: 'users-api' };

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const validators = loadValidators();
  const tokens = options.tokens ?? { 'rw-token': 'write', 'ro-token': 'read' };
  let nextCommentId = 1_000_000;
  let nextCheckId = 5_000_000;
  let clock = Date.parse('2026-11-24T12:00:00Z');
  const iso = (): string => new Date((clock += 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const waiting: Record<'list' | 'create', (() => void)[]> = { list: [], create: [] };
  const barrierLeft = { list: options.listBarrier ?? 0, create: options.createBarrier ?? 0 };

  let baseUrl = '';
  const fake: FakeGitHub = {
    url: '',
    requests: [],
    rejected: [],
    responseProblems: [],
    comments: [],
    checkRuns: [],
    faults: [],
    addComment(issue, body) {
      const now = iso();
      const c = { id: nextCommentId++, issue, body, created_at: now, updated_at: now };
      fake.comments.push(c);
      return c;
    },
    calls: (operation) => fake.requests.filter((r) => r.operation === operation),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const commentJson = (c: StoredComment): object => ({
    id: c.id,
    node_id: Buffer.from(`IC_${c.id}`).toString('base64'),
    url: `${baseUrl}/repos/${OWNER_REPO.owner}/${OWNER_REPO.repo}/issues/comments/${c.id}`,
    html_url: `https://github.com/${OWNER_REPO.owner}/${OWNER_REPO.repo}/pull/${c.issue}#issuecomment-${c.id}`,
    body: c.body,
    user: BOT_USER,
    created_at: c.created_at,
    updated_at: c.updated_at,
    issue_url: `${baseUrl}/repos/${OWNER_REPO.owner}/${OWNER_REPO.repo}/issues/${c.issue}`,
    author_association: 'NONE',
    reactions: {
      url: `${baseUrl}/repos/${OWNER_REPO.owner}/${OWNER_REPO.repo}/issues/comments/${c.id}/reactions`,
      total_count: 0,
      '+1': 0,
      '-1': 0,
      laugh: 0,
      hooray: 0,
      confused: 0,
      heart: 0,
      rocket: 0,
      eyes: 0,
    },
    performed_via_github_app: null,
  });

  const checkRunJson = (r: StoredCheckRun): object => ({
    id: r.id,
    head_sha: r.head_sha,
    node_id: Buffer.from(`CR_${r.id}`).toString('base64'),
    external_id: '',
    url: `${baseUrl}/repos/${OWNER_REPO.owner}/${OWNER_REPO.repo}/check-runs/${r.id}`,
    html_url: `https://github.com/${OWNER_REPO.owner}/${OWNER_REPO.repo}/runs/${r.id}`,
    details_url: 'https://github.com',
    status: r.status,
    conclusion: r.conclusion,
    started_at: '2026-11-24T12:00:00Z',
    completed_at: r.status === 'completed' ? '2026-11-24T12:01:00Z' : null,
    output: {
      title: r.output.title,
      summary: r.output.summary,
      text: null,
      annotations_count: r.annotations.length,
      annotations_url: `${baseUrl}/repos/${OWNER_REPO.owner}/${OWNER_REPO.repo}/check-runs/${r.id}/annotations`,
    },
    name: r.name,
    check_suite: { id: 7_000_001 },
    app: null,
    pull_requests: [],
  });

  function send(res: ServerResponse, rec: RecordedRequest, status: number, body?: unknown, headers: Record<string, string> = {}, op?: OperationValidators): void {
    rec.status = status;
    if (op && body !== undefined && status < 300) {
      const validate = op.response(status);
      if (validate && !validate(body)) fake.responseProblems.push(`${op.key} ${status}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
    }
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      ...headers,
    });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  function hold(kind: 'list' | 'create'): Promise<void> {
    if (barrierLeft[kind] <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      waiting[kind].push(resolve);
      if (waiting[kind].length >= barrierLeft[kind]) {
        barrierLeft[kind] = 0;
        for (const release of waiting[kind].splice(0)) release();
      }
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toLowerCase();
    const rec: RecordedRequest = { method: method.toUpperCase(), path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0 };
    fake.requests.push(rec);
    const text = await readBody(req);

    let match: RegExpExecArray | null = null;
    const op = validators.find((v) => v.method === rec.method && (match = v.pathPattern.exec(url.pathname)) !== null);
    if (!op || !match) return send(res, rec, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
    rec.operation = op.key;
    const pathValues: Record<string, string> = {};
    op.pathParams.forEach((name, i) => (pathValues[name] = decodeURIComponent((match as RegExpExecArray)[i + 1] ?? '')));

    const auth = req.headers.authorization ?? '';
    const token = /^(?:token|bearer) (.+)$/i.exec(auth)?.[1];
    const permission = token ? tokens[token] : undefined;
    if (!permission) return send(res, rec, 401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });

    // Validate against the OpenAPI description: path params, query params, body.
    const problems: string[] = [];
    for (const p of op.params) {
      if (p.in === 'header') continue;
      const raw = p.in === 'path' ? pathValues[p.name] : url.searchParams.get(p.name) ?? undefined;
      if (raw === undefined) {
        if (p.required) problems.push(`missing ${p.in} parameter ${p.name}`);
        continue;
      }
      const value = /^-?\d+$/.test(raw) && (p.schema as { type?: string }).type === 'integer' ? Number(raw) : raw;
      const validate = op.param(p.name);
      if (validate && !validate(value)) problems.push(`${p.in} parameter ${p.name}=${raw}: ${validate.errors?.[0]?.message}`);
    }
    for (const name of url.searchParams.keys()) {
      if (!op.params.some((p) => p.name === name && p.in === 'query')) problems.push(`unknown query parameter ${name}`);
    }
    let body: unknown;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        problems.push('body is not JSON');
      }
    }
    rec.body = body;
    if (op.body && (body !== undefined || op.bodyRequired)) {
      if (!op.body(body)) problems.push(...(op.body.errors ?? []).map((e) => `body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`));
    } else if (!op.body && body !== undefined) {
      problems.push('this operation takes no body');
    }
    if (problems.length > 0) {
      fake.rejected.push({ request: rec, problems });
      return send(res, rec, 422, { message: `Invalid request.\n\n${problems.join('\n')}`, documentation_url: DOCS, status: '422' });
    }

    const fault = fake.faults.find((f) => f.operation === op.key && (f.times ?? 1) > 0);
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      return send(res, rec, fault.status, fault.body ?? { message: 'Server Error', documentation_url: DOCS }, fault.headers ?? {});
    }
    if (method !== 'get' && permission === 'read') {
      return send(res, rec, 403, { message: 'Resource not accessible by integration', documentation_url: DOCS, status: '403' });
    }
    const b = (body ?? {}) as Record<string, unknown>;

    switch (op.key) {
      case 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments': {
        await hold('list');
        const issue = Number(pathValues.issue_number);
        const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
        const page = Number(url.searchParams.get('page') ?? 1);
        const all = fake.comments.filter((c) => c.issue === issue).sort((x, y) => x.id - y.id);
        const slice = all.slice((page - 1) * perPage, page * perPage);
        const last = Math.max(1, Math.ceil(all.length / perPage));
        const link = (p: number, rel: string): string => `<${baseUrl}${url.pathname}?per_page=${perPage}&page=${p}>; rel="${rel}"`;
        const links = page < last ? [link(page + 1, 'next'), link(last, 'last')] : [];
        return send(res, rec, 200, slice.map(commentJson), links.length ? { link: links.join(', ') } : {}, op);
      }
      case 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': {
        await hold('create');
        const c = fake.addComment(Number(pathValues.issue_number), String(b.body));
        return send(res, rec, 201, commentJson(c), { location: `${baseUrl}/repos/x/y/issues/comments/${c.id}` }, op);
      }
      case 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': {
        const c = fake.comments.find((x) => x.id === Number(pathValues.comment_id));
        if (!c) return send(res, rec, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
        c.body = String(b.body);
        c.updated_at = iso();
        return send(res, rec, 200, commentJson(c), {}, op);
      }
      case 'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}': {
        const index = fake.comments.findIndex((x) => x.id === Number(pathValues.comment_id));
        if (index < 0) return send(res, rec, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
        fake.comments.splice(index, 1);
        return send(res, rec, 204);
      }
      case 'POST /repos/{owner}/{repo}/check-runs': {
        const output = (b.output ?? {}) as { title?: string; summary?: string; annotations?: unknown[] };
        const r: StoredCheckRun = {
          id: nextCheckId++,
          name: String(b.name),
          head_sha: String(b.head_sha),
          status: String(b.status ?? 'queued'),
          conclusion: (b.conclusion as string | undefined) ?? null,
          output: { title: output.title ?? null, summary: output.summary ?? null },
          annotations: [...(output.annotations ?? [])],
        };
        fake.checkRuns.push(r);
        return send(res, rec, 201, checkRunJson(r), {}, op);
      }
      case 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}': {
        const r = fake.checkRuns.find((x) => x.id === Number(pathValues.check_run_id));
        if (!r) return send(res, rec, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
        const output = b.output as { title?: string; summary?: string; annotations?: unknown[] } | undefined;
        if (output) {
          r.output = { title: output.title ?? r.output.title, summary: output.summary ?? r.output.summary };
          r.annotations.push(...(output.annotations ?? []));
        }
        if (b.conclusion) {
          r.conclusion = String(b.conclusion);
          r.status = 'completed';
        } else if (b.status) r.status = String(b.status);
        return send(res, rec, 200, checkRunJson(r), {}, op);
      }
      default:
        return send(res, rec, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.url = baseUrl;
  return fake;
}

export const FAKE_REPO = OWNER_REPO;
