// k6 smoke test: a few virtual users for ~10 s over health, create, read and list. The run fails (k6 exits non-zero)
// when p95 latency or the error rate crosses the thresholds below. Run: k6 run -e BASE_URL=http://localhost:3000 tests/load/smoke.ts
import { check, fail, sleep } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import type { Options } from 'k6/options';

export const options: Options = {
  vus: 3,
  duration: '10s',
  thresholds: {
    http_req_duration: ['p(95)<300'],
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
  },
};

const BASE_URL = (__ENV.BASE_URL ?? 'http://localhost:3000').replace(/\/$/, '');
const json = { headers: { 'content-type': 'application/json' } };

interface User {
  id: string;
  email: string;
}

export function setup(): void {
  const health = http.get(`${BASE_URL}/health`);
  if (health.status !== 200) fail(`service at ${BASE_URL} is not healthy: HTTP ${health.status} ${String(health.body)}`);
}

export default function smoke(): void {
  const health = http.get(`${BASE_URL}/health`, { tags: { name: 'GET /health' } });
  check(health, { 'health is 200': (r) => r.status === 200 });

  // Unique per VU and iteration, so concurrent VUs never collide on the unique email.
  const email = `k6-${exec.vu.idInTest}-${exec.scenario.iterationInTest}-${Date.now()}@example.test`;
  const created = http.post(`${BASE_URL}/users`, JSON.stringify({ email, name: 'k6 smoke' }), {
    ...json,
    tags: { name: 'POST /users' },
  });
  const ok = check(created, { 'create is 201': (r) => r.status === 201 });
  if (ok) {
    const user = created.json() as unknown as User;
    const fetched = http.get(`${BASE_URL}/users/${user.id}`, { tags: { name: 'GET /users/:id' } });
    check(fetched, {
      'get is 200': (r) => r.status === 200,
      'get returns the created user': (r) => (r.json() as unknown as User).email === email,
    });
  }

  const list = http.get(`${BASE_URL}/users?limit=10`, { tags: { name: 'GET /users' } });
  check(list, { 'list is 200': (r) => r.status === 200 });

  sleep(0.2);
}
