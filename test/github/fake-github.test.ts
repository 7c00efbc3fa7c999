import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from './helpers/fake-github.js';

let fake: FakeGitHub;
beforeAll(async () => {
  fake = await startFakeGitHub();
});
afterAll(() => fake.close());

async function send(method: string, path: string, body?: unknown, token = 'rw-token'): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${fake.url}${path}`, {
    method,
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

describe('the fake GitHub API checks requests against the OpenAPI description', () => {
  it('rejects more than 50 annotations in one check-run update', async () => {
    const created = await send('POST', '/repos/acme/users-api/check-runs', { name: 'x', head_sha: 'abc', status: 'in_progress' });
    expect(created.status).toBe(201);
    const id = (created.json as { id: number }).id;
    const annotation = { path: 'a.ts', start_line: 1, end_line: 1, annotation_level: 'failure', message: 'm' };
    const tooMany = await send('PATCH', `/repos/acme/users-api/check-runs/${id}`, { output: { title: 't', summary: 's', annotations: Array(51).fill(annotation) } });
    expect(tooMany.status).toBe(422);
    expect(fake.rejected.at(-1)?.problems.join(' ')).toMatch(/must NOT have more than 50 items/);
  });

  it('rejects an unknown annotation level, a missing comment body and a non-integer issue number', async () => {
    const id = fake.checkRuns[0]!.id;
    const bad = await send('PATCH', `/repos/acme/users-api/check-runs/${id}`, {
      output: { title: 't', summary: 's', annotations: [{ path: 'a.ts', start_line: 1, end_line: 1, annotation_level: 'error', message: 'm' }] },
    });
    expect(bad.status).toBe(422);
    expect((await send('POST', '/repos/acme/users-api/issues/3/comments', { text: 'hi' })).status).toBe(422);
    expect((await send('GET', '/repos/acme/users-api/issues/three/comments')).status).toBe(422);
  });

  it('answers 403 to writes with a read-only token and 401 to unknown tokens', async () => {
    expect(await send('POST', '/repos/acme/users-api/issues/3/comments', { body: 'hi' }, 'ro-token')).toMatchObject({
      status: 403,
      json: { message: 'Resource not accessible by integration' },
    });
    expect((await send('GET', '/repos/acme/users-api/issues/3/comments', undefined, 'nope')).status).toBe(401);
    expect((await send('GET', '/repos/acme/users-api/issues/3/comments', undefined, 'ro-token')).status).toBe(200);
  });

  it('answers with bodies that match the response schemas', () => {
    expect(fake.responseProblems).toEqual([]);
  });
});
