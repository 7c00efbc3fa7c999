/**
 * Reads the engine's report folder (see the engine contract): summary.md, comment.md, annotations.json and
 * result.json. Each file is read on its own: a missing or broken file becomes a problem line naming the file and
 * what to do, and never hides the others.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Annotation } from '../types.js';

const count = z.number().int().nonnegative().catch(0);

const resultSchema = z.object({
  exitCode: z.number().int(),
  tests: z
    .object({ passed: count, failed: count, flaky: count, skipped: count, total: count })
    .partial()
    .default({}),
  coverage: z.object({ lines: z.number().nullable().optional() }).nullable().optional(),
  gate: z
    .object({ passed: z.boolean(), p95Ms: z.number().nullable().optional(), engine: z.string().optional() })
    .nullable()
    .optional(),
  stages: z
    .array(z.object({ id: z.string(), status: z.string(), durationMs: z.number().optional(), reason: z.string().optional() }))
    .default([]),
});

export type RunResult = z.infer<typeof resultSchema>;

const annotationSchema = z.object({
  path: z.string(),
  startLine: z.number(),
  endLine: z.number(),
  level: z.enum(['failure', 'warning', 'notice']),
  title: z.string(),
  message: z.string(),
});

export interface ReportFolder {
  dir: string;
  summary?: string;
  comment?: string;
  annotations: Annotation[];
  result?: RunResult;
  /** One line per file that could not be used. */
  problems: string[];
}

export type ReadText = (path: string) => Promise<string>;

function zodProblem(file: string, error: z.ZodError): string {
  const first = error.issues[0];
  const where = first?.path.length ? first.path.join('.') : '(top level)';
  return `${file}: ${where}: ${first?.message ?? 'invalid'}`;
}

export async function readReportFolder(dir: string, readText: ReadText = (p) => readFile(p, 'utf8')): Promise<ReportFolder> {
  const folder: ReportFolder = { dir, annotations: [], problems: [] };
  const read = async (name: string): Promise<string | undefined> => {
    try {
      return await readText(join(dir, name));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      folder.problems.push(
        code === 'ENOENT'
          ? `${name} was not written to ${dir}: the engine stopped before its report step (see the step log above).`
          : `${name} in ${dir} cannot be read (${(error as Error).message}).`,
      );
      return undefined;
    }
  };
  const [summary, comment, annotationsText, resultText] = await Promise.all(
    ['summary.md', 'comment.md', 'annotations.json', 'result.json'].map(read),
  );
  if (summary !== undefined) folder.summary = summary;
  if (comment !== undefined) folder.comment = comment;

  if (annotationsText !== undefined) {
    try {
      const parsed = z.array(z.unknown()).parse(JSON.parse(annotationsText));
      let bad = 0;
      for (const item of parsed) {
        const a = annotationSchema.safeParse(item);
        if (a.success) folder.annotations.push(a.data);
        else bad++;
      }
      if (bad > 0) folder.problems.push(`annotations.json: ${bad} entr${bad === 1 ? 'y is' : 'ies are'} not {path,startLine,endLine,level,title,message} and were skipped.`);
    } catch (error) {
      folder.problems.push(
        error instanceof z.ZodError ? zodProblem('annotations.json', error) : `annotations.json is not valid JSON (${(error as Error).message}).`,
      );
    }
  }

  if (resultText !== undefined) {
    try {
      const parsed = resultSchema.safeParse(JSON.parse(resultText));
      if (parsed.success) folder.result = parsed.data;
      else folder.problems.push(zodProblem('result.json', parsed.error));
    } catch (error) {
      folder.problems.push(`result.json is not valid JSON (${(error as Error).message}).`);
    }
  }
  return folder;
}

/** The action's outputs, from result.json (empty strings when a figure is unknown). */
export function outputsFrom(folder: ReportFolder): Record<string, string> {
  const r = folder.result;
  const num = (n: number | null | undefined): string => (typeof n === 'number' && Number.isFinite(n) ? String(n) : '');
  return {
    passed: num(r?.tests.passed),
    failed: num(r?.tests.failed),
    flaky: num(r?.tests.flaky),
    skipped: num(r?.tests.skipped),
    'coverage-lines': num(r?.coverage?.lines),
    'p95-ms': num(r?.gate?.p95Ms),
    'exit-code': num(r?.exitCode),
    'report-path': folder.dir,
  };
}
