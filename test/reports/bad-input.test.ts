import { describe, expect, it } from 'vitest';
import { ingestJUnitFiles } from '../../src/reports/build.js';
import { fixture, ingestOne, junitDoc, tempDir } from './helpers.js';

describe('bad JUnit input: a clear warning naming the file, the other files still reported', () => {
  it('reports a truncated file, keeps the test cases read before the cut, and still reads the next file', async () => {
    const t = tempDir();
    try {
      const full = junitDoc(10, { failing: (i) => i === 3 });
      const cut = t.file('truncated.xml', full.slice(0, full.indexOf('case 7') + 3)); // inside case 7's start tag
      const { tests, warnings } = await ingestJUnitFiles([cut, fixture('vitest.xml')]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.file).toBe(cut);
      expect(warnings[0]?.message).toMatch(/malformed XML/);
      expect(warnings[0]?.message).toMatch(/the 7 test case\(s\) read before the error are included/);
      expect(warnings[0]?.hint).toMatch(/truncated/);
      expect(tests.totals.total).toBe(7 + 5); // cases 0-6 complete + the vitest fixture
      expect(tests.totals.failed).toBe(2);
    } finally {
      t.cleanup();
    }
  });

  it('reports malformed XML with its line and column', async () => {
    const t = tempDir();
    try {
      const p = t.file('bad.xml', '<testsuites>\n<testsuite name="a">\n<testcase name="x"></testsuite>\n</testsuites>');
      const r = await ingestOne(p);
      expect(r.warnings[0]?.message).toMatch(/bad\.xml: malformed XML: .*bad\.xml:3:\d+/);
    } finally {
      t.cleanup();
    }
  });

  it('explains an empty (0-byte) file, which vitest writes when no test ran', async () => {
    const t = tempDir();
    try {
      const p = t.file('empty.xml', '');
      const r = await ingestOne(p);
      expect(r.tests.totals.total).toBe(0);
      expect(r.tests.files).toEqual([]);
      expect(r.warnings).toEqual([expect.objectContaining({ file: p, message: expect.stringMatching(/empty file \(0 bytes\)/) })]);
      expect(r.warnings[0]?.hint).toMatch(/no test ran/);
    } finally {
      t.cleanup();
    }
  });

  it('rejects XML that is not JUnit, naming its root element', async () => {
    const t = tempDir();
    try {
      const p = t.file('pom.xml', '<?xml version="1.0"?><project><testcase name="not really"/></project>');
      const r = await ingestOne(p);
      expect(r.tests.totals.total).toBe(0);
      expect(r.warnings[0]?.message).toMatch(/not a JUnit XML report \(root element is <project>/);
    } finally {
      t.cleanup();
    }
  });

  it('never expands DOCTYPE entities: a billion-laughs file neither expands nor hangs', async () => {
    const t = tempDir();
    try {
      const defs = ['<!ENTITY lol "lol">'];
      for (let i = 1; i <= 9; i++) defs.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
      const p = t.file(
        'laughs.xml',
        `<?xml version="1.0"?>\n<!DOCTYPE testsuites [\n${defs.join('\n')}\n]>\n<testsuites><testsuite name="s"><testcase name="ok"/><testcase name="&lol9;"/></testsuite></testsuites>`,
      );
      const started = Date.now();
      const r = await ingestOne(p);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(r.tests.totals.total).toBe(1);
      expect(r.warnings[0]?.message).toMatch(/undefined entity/);
      expect(JSON.stringify(r.tests)).not.toContain('lollol');
    } finally {
      t.cleanup();
    }
  });

  it('never fetches external entities (XXE)', async () => {
    const t = tempDir();
    try {
      const secret = t.file('secret.txt', 'TOP-SECRET');
      const p = t.file(
        'xxe.xml',
        `<?xml version="1.0"?><!DOCTYPE t [<!ENTITY xxe SYSTEM "file://${secret}">]><testsuites><testsuite name="s"><testcase name="x"><failure>&xxe;</failure></testcase></testsuite></testsuites>`,
      );
      const r = await ingestOne(p);
      expect(JSON.stringify(r)).not.toContain('TOP-SECRET');
      expect(r.warnings[0]?.message).toMatch(/undefined entity/);
    } finally {
      t.cleanup();
    }
  });

  it('survives huge attribute values, keeping a bounded message', async () => {
    const t = tempDir();
    try {
      const huge = 'A'.repeat(8 * 1024 * 1024);
      const p = t.file('huge.xml', `<testsuites><testsuite name="s"><testcase name="${huge}" classname="c"><failure message="${huge}"/></testcase></testsuite></testsuites>`);
      const r = await ingestOne(p);
      expect(r.warnings).toEqual([]);
      expect(r.tests.totals.failed).toBe(1);
      expect(r.tests.failed[0]?.message.length).toBeLessThanOrEqual(2000);
    } finally {
      t.cleanup();
    }
  });

  it('warns about invalid UTF-8 and still reads the tests', async () => {
    const t = tempDir();
    try {
      const doc = Buffer.concat([
        Buffer.from('<testsuites><testsuite name="s"><testcase name="caf'),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from('"/><testcase name="ok"/></testsuite></testsuites>'),
      ]);
      const p = t.file('latin.xml', doc);
      const r = await ingestOne(p);
      expect(r.tests.totals.total).toBe(2);
      expect(r.warnings).toEqual([expect.objectContaining({ file: p, message: expect.stringMatching(/invalid UTF-8/) })]);
    } finally {
      t.cleanup();
    }
  });

  it('reports a missing file and a directory without crashing', async () => {
    const t = tempDir();
    try {
      const { tests, warnings } = await ingestJUnitFiles([`${t.dir}/nope.xml`, t.dir, fixture('mocha.xml')]);
      expect(warnings.map((w) => w.message)).toEqual([
        expect.stringMatching(/nope\.xml: cannot read: file not found/),
        expect.stringMatching(/cannot read: is a directory/),
      ]);
      expect(warnings[0]?.hint).toMatch(/Check the path/);
      expect(tests.totals.total).toBe(3);
    } finally {
      t.cleanup();
    }
  });

  it('decodes multi-byte characters split across 1 MiB read boundaries without a false UTF-8 warning', async () => {
    const t = tempDir();
    try {
      const head = '<testsuites><testsuite name="s">';
      const open = '<testcase name="';
      // 'é' (2 bytes) starts at byte 2^20 - 1: its second byte comes with the next read
      const filler = `<!--${'x'.repeat((1 << 20) - 1 - head.length - open.length - 7)}-->`;
      const p = t.file('boundary.xml', `${head}${filler}${open}é€😀 boundary"/></testsuite></testsuites>`);
      expect(Buffer.from(`${head}${filler}${open}`).length).toBe((1 << 20) - 1);
      const r = await ingestOne(p);
      expect(r.warnings).toEqual([]);
      expect(r.tests.totals.total).toBe(1);
      expect(r.tests.slowest.map((x) => x.name)).toEqual(['é€😀 boundary']);
    } finally {
      t.cleanup();
    }
  });
});
