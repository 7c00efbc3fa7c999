import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DurationsError, durationsFromJUnit, parseDurations, readDurations, updateDurations, writeDurations } from '../../src/shard/durations.js';

const dir = mkdtempSync(join(tmpdir(), 'bci-durations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The shape vitest 4.1's junit reporter writes (captured from sample-service's integration suite).
const vitestJUnit = `<?xml version="1.0" encoding="UTF-8" ?>
<testsuites name="vitest tests" tests="4" failures="1" errors="0" time="1.9">
    <testsuite name="test/integration/cache.test.ts" timestamp="2026-11-24T17:53:43.030Z" hostname="vm" tests="2" failures="0" errors="0" skipped="0" time="0.16">
        <testcase classname="test/integration/cache.test.ts" name="user cache &gt; stores a user" time="0.113246256">
        </testcase>
        <testcase classname="test/integration/cache.test.ts" name="user cache &gt; drops the cached user" time="0.046204714">
        </testcase>
    </testsuite>
    <testsuite name="test/integration/crm.test.ts" timestamp="2026-11-24T17:53:43.031Z" hostname="vm" tests="2" failures="1" errors="0" skipped="0" time="1.75">
        <testcase classname="test/integration/crm.test.ts" name="CRM &gt; retries" time="1.149176084">
            <failure message="expected 1 to be 2" type="AssertionError">AssertionError: expected 1 to be 2</failure>
        </testcase>
        <testcase classname="test/integration/crm.test.ts" name="CRM &gt; skips" time="0">
            <skipped/>
        </testcase>
    </testsuite>
</testsuites>
`;

describe('duration history', () => {
  it('sums testcase times per test file from vitest JUnit (classname), failures and skips included', async () => {
    const path = join(dir, 'vitest.xml');
    writeFileSync(path, vitestJUnit);
    expect(await durationsFromJUnit(path)).toEqual({ 'test/integration/cache.test.ts': 159, 'test/integration/crm.test.ts': 1149 });
  });

  it('prefers the file attribute and ignores classnames that are not test files', async () => {
    const path = join(dir, 'jest.xml');
    writeFileSync(
      path,
      `<testsuites><testsuite name="x"><testcase classname="Users API" file="./test/users.spec.ts" name="a" time="0.5"/><testcase classname="Users API" name="b" time="2"/></testsuite></testsuites>`,
    );
    expect(await durationsFromJUnit(path)).toEqual({ 'test/users.spec.ts': 500 });
  });

  it('names the file when the XML is broken', async () => {
    const path = join(dir, 'broken.xml');
    writeFileSync(path, '<testsuites><testcase classname="a.test.ts" time="1"></testsuites');
    await expect(durationsFromJUnit(path)).rejects.toThrow(/broken\.xml: not well-formed JUnit XML/);
  });

  it('replaces measured files, keeps the others, and sums a file measured in two runs', () => {
    const next = updateDurations({ version: 1, files: { 'a.test.ts': 100, 'b.test.ts': 200 } }, [{ 'a.test.ts': 50 }, { 'a.test.ts': 25, 'c.test.ts': 7 }]);
    expect(next).toEqual({ version: 1, files: { 'a.test.ts': 75, 'b.test.ts': 200, 'c.test.ts': 7 } });
  });

  it('round-trips through a file; a missing file is an empty history; a bad one is an actionable error', async () => {
    const path = join(dir, 'sub', 'durations.json');
    expect(await readDurations(path)).toEqual({ version: 1, files: {} });
    await writeDurations(path, { version: 1, files: { 'z.test.ts': 1, 'a.test.ts': 2 } });
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')).files)).toEqual(['a.test.ts', 'z.test.ts']);
    expect(await readDurations(path)).toEqual({ version: 1, files: { 'a.test.ts': 2, 'z.test.ts': 1 } });
    expect(() => parseDurations('{"version":1,"files":{"a.test.ts":-1}}', 'd.json')).toThrow(DurationsError);
    expect(() => parseDurations('{"version":1,"files":{"a.test.ts":-1}}', 'd.json')).toThrow(/d\.json: files\.a\.test\.ts: .*delete the file/);
    expect(() => parseDurations('not json', 'd.json')).toThrow(/d\.json: not valid JSON/);
  });
});
