import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installIsCurrent, readProjectFacts } from '../../src/cli/project.js';
import { ConfigError } from '../../src/config/errors.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'bci-project-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('project facts', () => {
  it('reads scripts, dependency names and whether a lockfile exists', async () => {
    const d = tmp();
    writeFileSync(join(d, 'package.json'), JSON.stringify({ scripts: { lint: 'eslint .' }, devDependencies: { vitest: '4' } }));
    expect(await readProjectFacts(d)).toEqual({ scripts: { lint: 'eslint .' }, dependencies: ['vitest'], hasLockfile: false });
  });

  it('names the broken package.json', async () => {
    const d = tmp();
    writeFileSync(join(d, 'package.json'), '{ "scripts": ');
    await expect(readProjectFacts(d)).rejects.toThrow(ConfigError);
    await expect(readProjectFacts(d)).rejects.toThrow(`${join(d, 'package.json')}: invalid JSON`);
  });
});

describe('install is current', () => {
  const project = (): string => {
    const d = tmp();
    writeFileSync(join(d, 'package.json'), '{}');
    writeFileSync(join(d, 'package-lock.json'), '{}');
    return d;
  };

  it('when npm recorded the installed tree after the last change to package.json and the lockfile', async () => {
    const d = project();
    mkdirSync(join(d, 'node_modules'));
    writeFileSync(join(d, 'node_modules/.package-lock.json'), '{}');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(d, 'package.json'), old, old);
    utimesSync(join(d, 'package-lock.json'), old, old);
    expect(await installIsCurrent(d)).toBe(true);
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(d, 'package-lock.json'), later, later);
    expect(await installIsCurrent(d)).toBe(false);
  });

  it('not when node_modules is missing', async () => {
    expect(await installIsCurrent(project())).toBe(false);
  });

  it('always when node_modules is a link to another install (npm ci would wipe its target)', async () => {
    const d = project();
    const elsewhere = tmp();
    symlinkSync(elsewhere, join(d, 'node_modules'), 'dir');
    expect(await installIsCurrent(d)).toBe(true);
  });
});
