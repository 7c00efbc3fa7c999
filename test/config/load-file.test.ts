import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load-file.js';
import { ConfigError } from '../../src/config/errors.js';

function problems(text: string): string[] {
  try {
    parseConfigText(text, 'backend-ci.config.json');
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('config file', () => {
  it('accepts comments, trailing commas and every documented key', () => {
    const cfg = parseConfigText(
      `// backend-ci settings
      {
        "suite": "critical",
        "critical": { "paths": ["test/integration/critical/**"], "tag": "@critical" },
        "services": "postgres:16,redis:7",
        "provider": "embedded",
        "coverage": { "lines": 80 },
        "stages": {
          "lint": { "enabled": false },
          "unit": { "script": "test", "timeoutSec": 120 },
          "load": { "p95Ms": 300, "errorRate": 0.01, "local": { "vus": 4, "routes": [{ "path": "/health" }] } },
        },
      }`,
      'cfg.json',
    );
    expect(cfg.suite).toBe('critical');
    expect(cfg.stages?.unit?.timeoutSec).toBe(120);
    expect(cfg.stages?.load?.local?.routes?.[0]?.path).toBe('/health');
  });

  it('names the file, line, key, bad value and allowed values for an enum', () => {
    expect(problems('{\n  "provider": "dockr"\n}')).toEqual([
      'backend-ci.config.json:2:3: provider: "dockr" is not allowed; allowed values: embedded, external, containers',
    ]);
  });

  it('points at nested keys with a wrong type', () => {
    expect(problems('{"stages": {\n "unit": {\n   "timeoutSec": "abc"}}}')).toEqual([
      'backend-ci.config.json:3:4: stages.unit.timeoutSec: "abc" is not a number',
    ]);
  });

  it('rejects unknown keys and lists the allowed ones', () => {
    const [msg] = problems('{"stages": {"lnit": {}}}');
    expect(msg).toBe(
      'backend-ci.config.json:1:13: stages: unknown key "lnit"; allowed keys: install, lint, typecheck, unit, migrate, integration, load',
    );
  });

  it('reports out-of-range numbers with the bound', () => {
    expect(problems('{"coverage": {"lines": 120}}')).toEqual([
      'backend-ci.config.json:1:15: coverage.lines: 120 is too big; it must be <= 100',
    ]);
    expect(problems('{"stages": {"load": {"errorRate": -1}}}')[0]).toContain('stages.load.errorRate: -1 is too small; it must be >= 0');
  });

  it('reports every problem, not just the first', () => {
    expect(problems('{"suite": "some", "failFast": "yes"}')).toHaveLength(2);
  });

  it('reports JSON syntax errors at their line and column', () => {
    expect(problems('{\n  "suite": "all",\n  "provider" "embedded"\n}')[0]).toMatch(
      /^backend-ci\.config\.json:3:14: invalid JSON \(ColonExpected\)/,
    );
  });

  it('rejects an empty file and a non-object with a clear message', () => {
    expect(problems('')).toEqual(['backend-ci.config.json: the file is empty; write a JSON object such as {}']);
    expect(problems('[1]')).toEqual(['backend-ci.config.json:1:1: the config must be a JSON object ({ ... }), not a list']);
  });

  it('rejects an env key that is not a variable name', () => {
    expect(problems('{"env": {"BAD-NAME": "x"}}')[0]).toContain('env.BAD-NAME');
  });
});
