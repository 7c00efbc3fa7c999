/** Shared setup for publisher tests: a report folder copy, a run context, and the real Octokit-backed API. */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Annotation } from '../../../src/types.js';
import { createGitHubApi } from '../../../src/github/client.js';
import type { RunContext } from '../../../src/github/context.js';
import type { GitHubApi } from '../../../src/github/api.js';
import { FAKE_REPO, type FakeGitHub } from './fake-github.js';

export const REPORT_FIXTURE = fileURLToPath(new URL('../fixtures/report', import.meta.url));

export function copyReport(overrides: Record<string, string> = {}): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'backend-ci-report-'));
  cpSync(REPORT_FIXTURE, dir, { recursive: true });
  for (const [name, content] of Object.entries(overrides)) writeFileSync(join(dir, name), content);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function manyAnnotations(n: number): Annotation[] {
  return Array.from({ length: n }, (_, i) => ({
    path: `test/suite-${i % 7}.test.ts`,
    startLine: i + 1,
    endLine: i + 1,
    level: 'failure' as const,
    title: `case ${i}`,
    message: `expected ${i} to be ${i + 1}`,
  }));
}

export function prContext(fake: FakeGitHub, extra: Partial<RunContext> = {}): RunContext {
  return {
    eventName: 'pull_request',
    ...FAKE_REPO,
    headSha: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
    pullNumber: 17,
    fromFork: false,
    workflow: '.github/workflows/ci.yml',
    job: 'test',
    runId: '4242',
    apiUrl: fake.url,
    serverUrl: 'https://github.com',
    ...extra,
  };
}

export function apiFor(fake: FakeGitHub, token: string, sleeps: number[] = []): GitHubApi {
  return createGitHubApi(token, { apiUrl: fake.url, ...FAKE_REPO }, { sleep: async (ms) => void sleeps.push(ms), now: () => Date.parse('2026-11-24T12:00:00Z') });
}
