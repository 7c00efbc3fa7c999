import { describe, expect, it } from 'vitest';
import { LcovUnion } from '../../src/shard/lcov-union.js';

const shard1 = `TN:
SF:src/users.ts
FN:1,createUser
FN:10,deleteUser
FNDA:3,createUser
FNDA:0,deleteUser
FNF:2
FNH:1
BRDA:4,0,0,3
BRDA:4,0,1,0
BRDA:12,1,0,-
BRF:3
BRH:1
DA:1,3
DA:2,3
DA:10,0
DA:11,0
LF:4
LH:2
end_of_record
TN:
SF:src/only-in-1.ts
DA:1,1
LF:1
LH:1
end_of_record
`;

const shard2 = `TN:
SF:src/users.ts
FN:1,createUser
FN:10,deleteUser
FNDA:0,createUser
FNDA:2,deleteUser
BRDA:4,0,0,0
BRDA:4,0,1,1
BRDA:12,1,0,2
DA:1,0
DA:2,0
DA:10,2
DA:11,2
end_of_record
`;

function section(text: string, file: string): string[] {
  const start = text.indexOf(`SF:${file}`);
  return text.slice(start, text.indexOf('end_of_record', start)).trim().split('\n');
}

describe('lcov union', () => {
  it('sums line, branch and function hits per file so a line covered in any shard is covered', () => {
    const u = new LcovUnion();
    u.addText(shard1);
    u.addText(shard2);
    const users = section(u.toString(), 'src/users.ts');
    expect(users).toEqual([
      'SF:src/users.ts',
      'FN:1,createUser',
      'FN:10,deleteUser',
      'FNDA:3,createUser',
      'FNDA:2,deleteUser',
      'FNF:2',
      'FNH:2',
      'BRDA:4,0,0,3',
      'BRDA:4,0,1,1',
      'BRDA:12,1,0,2',
      'BRF:3',
      'BRH:3',
      'DA:1,3',
      'DA:2,3',
      'DA:10,2',
      'DA:11,2',
      'LF:4',
      'LH:4',
    ]);
  });

  it('keeps files seen in one shard only, and never-evaluated branches as "-"', () => {
    const u = new LcovUnion();
    u.addText(shard1);
    const text = u.toString();
    expect(section(text, 'src/only-in-1.ts')).toEqual(['SF:src/only-in-1.ts', 'FNF:0', 'FNH:0', 'BRF:0', 'BRH:0', 'DA:1,1', 'LF:1', 'LH:1']);
    expect(section(text, 'src/users.ts')).toContain('BRDA:12,1,0,-');
    expect(text.indexOf('SF:src/only-in-1.ts')).toBeLessThan(text.indexOf('SF:src/users.ts'));
  });

  it('is empty for no input', () => {
    expect(new LcovUnion().toString()).toBe('');
  });
});
