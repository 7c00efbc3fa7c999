/** Test identities and outcomes in a report folder's raw JUnit files (what the merge reads), for comparisons. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stageOfJUnitFile } from '../../../src/shard/merge.js';

export function junitCases(reportDir: string): string[] {
  const dir = join(reportDir, 'junit');
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.xml'))) {
    const xml = readFileSync(join(dir, name), 'utf8');
    for (const m of xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
      const body = m[4] ?? '';
      const outcome = /<failure|<error/.test(body) ? 'failed' : /<skipped/.test(body) ? 'skipped' : 'passed';
      out.push(`${stageOfJUnitFile(name)} | ${m[1]} | ${m[2]} | ${outcome}`);
    }
  }
  return out.sort();
}
