/**
 * What the front end needs to know about the run it is part of, read from the runner's environment and the event
 * payload file (GITHUB_EVENT_PATH) — injected, never from process globals.
 */
import { readFileSync } from 'node:fs';

export interface RunContext {
  eventName: string;
  owner: string;
  repo: string;
  /** The commit the run is for: the pull request's head commit on pull_request events (not the merge commit). */
  headSha: string;
  /** Pull request number when the event belongs to one. */
  pullNumber?: number;
  /** True when the pull request comes from a fork (its GITHUB_TOKEN is read-only). */
  fromFork: boolean;
  /** `.github/workflows/ci.yml` style path of the running (caller) workflow, or its name. */
  workflow: string;
  job: string;
  runId: string;
  apiUrl: string;
  serverUrl: string;
}

export class ContextError extends Error {
  override name = 'ContextError';
}

interface EventPayload {
  pull_request?: {
    number?: number;
    head?: { sha?: string; repo?: { full_name?: string } | null };
    base?: { repo?: { full_name?: string } };
  };
  number?: number;
}

export function readEventPayload(env: NodeJS.ProcessEnv, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): EventPayload {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return {};
  let text: string;
  try {
    text = read(path);
  } catch (error) {
    throw new ContextError(`GITHUB_EVENT_PATH points at ${path}, which cannot be read (${(error as Error).message}).`);
  }
  try {
    return JSON.parse(text) as EventPayload;
  } catch (error) {
    throw new ContextError(`The event payload ${path} is not valid JSON (${(error as Error).message}).`);
  }
}

/** `owner/repo/.github/workflows/ci.yml@refs/heads/main` → `.github/workflows/ci.yml`. */
function workflowPath(env: NodeJS.ProcessEnv): string {
  const ref = env.GITHUB_WORKFLOW_REF;
  if (ref) {
    const match = /^[^/]+\/[^/]+\/(.+?)@/.exec(ref);
    if (match?.[1]) return match[1];
  }
  return env.GITHUB_WORKFLOW ?? 'workflow';
}

export function readRunContext(env: NodeJS.ProcessEnv, payload: EventPayload): RunContext {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo) {
    throw new ContextError('GITHUB_REPOSITORY is not set to "owner/repo": run this inside a GitHub Actions job.');
  }
  const pr = payload.pull_request;
  const pullNumber = pr?.number ?? undefined;
  const headRepo = pr?.head?.repo?.full_name;
  const baseRepo = pr?.base?.repo?.full_name ?? `${owner}/${repo}`;
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    owner,
    repo,
    headSha: pr?.head?.sha ?? env.GITHUB_SHA ?? '',
    ...(pullNumber !== undefined ? { pullNumber } : {}),
    // A deleted fork shows up as `head.repo: null`: still a fork, still a read-only token.
    fromFork: pr ? (headRepo ? headRepo !== baseRepo : pr.head?.repo === null) : false,
    workflow: workflowPath(env),
    job: env.GITHUB_JOB ?? 'job',
    runId: env.GITHUB_RUN_ID ?? '',
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com',
  };
}
