import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { othersCanReach } from '../../src/services/postgres-binaries.js';

const dir = mkdtempSync(join(tmpdir(), 'bci-reach-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('whether the postgres user can reach the embedded binaries', () => {
  it('is false below a private folder (mode 700, as mktemp -d makes) and true when every folder can be entered', () => {
    const bin = join(dir, 'checkout', 'node_modules', 'bin');
    mkdirSync(bin, { recursive: true });
    chmodSync(dir, 0o700);
    expect(othersCanReach(bin)).toBe(false);
    chmodSync(dir, 0o755);
    expect(othersCanReach(bin)).toBe(true);
    chmodSync(join(dir, 'checkout'), 0o750);
    expect(othersCanReach(bin)).toBe(false);
  });
});
