import { describe, expect, it } from 'vitest';
import { fixture, ingestOne } from './helpers.js';

describe('JUnit ingest: dialects of real tools', () => {
  it('reads vitest output: counts, failure message, vitest ❯ frame location, system-out tail, skipped', async () => {
    const r = await ingestOne(fixture('vitest.xml'), { stage: 'unit' });
    expect(r.warnings).toEqual([]);
    expect(r.tests.totals).toMatchObject({ total: 5, passed: 3, failed: 1, skipped: 1, errored: 0, flaky: 0 });
    expect(r.tests.totals.durationMs).toBeCloseTo(255, 5);
    const [f] = r.tests.failed;
    expect(f).toMatchObject({
      stage: 'unit',
      suite: 'test/users.test.ts',
      name: 'users > rejects a duplicate email',
      message: 'expected 201 to be 409 // Object.is equality',
      type: 'AssertionError',
      file: 'test/users.test.ts',
      line: 42,
      status: 'failed',
    });
    expect(f?.details).toContain('- Expected');
    expect(f?.output).toContain('[db] 1 row');
    expect(r.tests.slowest[0]).toMatchObject({ name: 'health > answers 200', durationMs: 200 });
  });

  it('reads jest-junit output without a message attribute: first body line is the message, absolute frame mapped', async () => {
    const r = await ingestOne(fixture('jest-junit.xml'), { repoRoot: '/home/runner/work/shop/shop' });
    expect(r.tests.totals).toMatchObject({ total: 3, passed: 2, failed: 1 });
    expect(r.tests.failed[0]).toMatchObject({
      message: 'Error: expect(received).rejects.toThrow()',
      file: 'src/orders/order.service.test.ts',
      line: 57,
    });
  });

  it('reads mocha-junit-reporter output: CDATA body, file from the suite attribute, relative frame', async () => {
    const r = await ingestOne(fixture('mocha.xml'), { repoRoot: '/home/runner/work/shop/shop' });
    expect(r.tests.totals).toMatchObject({ total: 3, passed: 2, failed: 1 });
    expect(r.tests.failed[0]).toMatchObject({
      message: 'expected 90 to equal 81',
      file: 'test/cart.spec.js',
      line: 27,
      suite: 'Cart #total()',
    });
    expect(r.tests.failed[0]?.details).toContain('at Context.<anonymous>');
  });

  it('reads pytest output: failure and error (errored), skipped, pytest "path.py:12:" location', async () => {
    const r = await ingestOne(fixture('pytest.xml'));
    expect(r.tests.totals).toMatchObject({ total: 4, passed: 1, failed: 1, errored: 1, skipped: 1 });
    const failed = r.tests.failed.find((f) => f.status === 'failed');
    const errored = r.tests.failed.find((f) => f.status === 'errored');
    expect(failed).toMatchObject({ classname: 'tests.test_users', file: 'tests/test_users.py', line: 12 });
    expect(failed?.message).toMatch(/^AssertionError: assert 201 == 409/);
    expect(errored).toMatchObject({ file: 'tests/conftest.py', line: 8, name: 'test_list_orders' });
  });

  it('reads Surefire reruns: flakyFailure alone is flaky, failure + rerunFailure is failed with its attempts', async () => {
    const r = await ingestOne(fixture('surefire.xml'));
    expect(r.tests.totals).toMatchObject({ total: 3, passed: 1, failed: 1, flaky: 1 });
    expect(r.tests.flaky[0]).toMatchObject({ name: 'createsUser', failedAttempts: 1, message: 'expected: <201> but was: <500>' });
    expect(r.tests.failed[0]).toMatchObject({ name: 'deletesUser', attempts: 3, message: 'expected: <204> but was: <404>' });
    // the final failure's stack trace, not a rerun's
    expect(r.tests.failed[0]?.details).toContain('UserServiceTest.deletesUser(UserServiceTest.java:48)');
    // Java frames carry no repository path: no made-up location
    expect(r.tests.failed[0]?.line).toBeUndefined();
  });

  it('reads go-junit-report output; go file:line without a package dir gives no location', async () => {
    const r = await ingestOne(fixture('go-junit-report.xml'));
    expect(r.tests.totals).toMatchObject({ total: 3, passed: 1, failed: 1, skipped: 1 });
    expect(r.tests.failed[0]).toMatchObject({ name: 'TestDuplicate', message: 'Failed', suite: 'github.com/acme/api/users' });
    expect(r.tests.failed[0]?.details).toContain('users_test.go:41');
    expect(r.tests.failed[0]?.line).toBeUndefined();
  });

  it('handles nested suites and odd attributes: missing time/classname/name, "1,234.5", NaN, negative, line attr', async () => {
    const r = await ingestOne(fixture('nested-odd.xml'));
    expect(r.warnings).toEqual([]);
    expect(r.tests.totals).toMatchObject({ total: 6, passed: 5, errored: 1 });
    expect(r.tests.totals.durationMs).toBeCloseTo(1_234_500 + 500 + 250, 3);
    expect(r.tests.failed[0]).toMatchObject({
      suite: 'inner',
      message: 'TypeError: x is not a function',
      file: 'test/outer.test.ts',
      line: 17,
      status: 'errored',
    });
    expect(r.tests.slowest[0]).toMatchObject({ name: 'comma time', durationMs: 1_234_500 });
  });

  it('bounds kept text: long messages and stack traces keep their head, system-out keeps its tail', async () => {
    const { tempDir } = await import('./helpers.js');
    const t = tempDir();
    try {
      const long = 'x'.repeat(50_000);
      const out = `${'o'.repeat(100_000)}THE-END`;
      const p = t.file(
        'long.xml',
        `<testsuite name="s"><testcase name="t" classname="c"><failure message="${long}">${'stack line\n'.repeat(20_000)}</failure><system-out>${out}</system-out></testcase></testsuite>`,
      );
      const r = await ingestOne(p, { limits: { messageChars: 100, detailsChars: 1000, outputChars: 200 } });
      const f = r.tests.failed[0];
      expect(f?.message.length).toBeLessThanOrEqual(100);
      expect(f?.message).toMatch(/truncated/);
      expect(f?.details.length).toBeLessThanOrEqual(1000);
      expect(f?.details.startsWith('stack line')).toBe(true);
      expect(f?.output.length).toBeLessThanOrEqual(200);
      expect(f?.output.endsWith('THE-END')).toBe(true);
    } finally {
      t.cleanup();
    }
  });

  it('shows the first of several failures in one test case (message, type and body together)', async () => {
    const { tempDir } = await import('./helpers.js');
    const t = tempDir();
    try {
      const p = t.file(
        'multi.xml',
        '<testsuite name="s"><testcase name="t" classname="c"><failure message="first" type="A">body one</failure><error message="second" type="B">body two</error></testcase></testsuite>',
      );
      const r = await ingestOne(p);
      expect(r.tests.totals).toMatchObject({ total: 1, errored: 1 });
      expect(r.tests.failed[0]).toMatchObject({ message: 'first', type: 'A', details: 'body one', attempts: 2 });
    } finally {
      t.cleanup();
    }
  });
});
