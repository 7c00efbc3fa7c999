/**
 * The slice of the Actions runner protocol the front end uses (outputs, masks, annotations, job summary), behind an
 * interface so tests can record it. `actionsCore()` is the real one, backed by @actions/core (which writes to the
 * files named by GITHUB_OUTPUT / GITHUB_STEP_SUMMARY and prints workflow commands on stdout).
 */
import * as core from '@actions/core';
import { appendFile } from 'node:fs/promises';

export interface AnnotationPlace {
  title?: string;
  file?: string;
  startLine?: number;
  endLine?: number;
}

export interface ActionCore {
  setOutput(name: string, value: string): void;
  setSecret(value: string): void;
  info(message: string): void;
  notice(message: string, place?: AnnotationPlace): void;
  warning(message: string, place?: AnnotationPlace): void;
  error(message: string, place?: AnnotationPlace): void;
  setFailed(message: string): void;
  /** Appends markdown to the job summary; resolves false when the runner gave no summary file. */
  appendSummary(markdown: string): Promise<boolean>;
}

/**
 * The real runner protocol. The job summary is appended to the file named by the (injected) env's
 * GITHUB_STEP_SUMMARY — what `core.summary.write()` does — because `core.summary` is a process-wide singleton that
 * caches the first file path it sees, which would tie every later run in the same process to the first one's file.
 */
export function actionsCore(env: NodeJS.ProcessEnv = process.env): ActionCore {
  return {
    setOutput: (name, value) => core.setOutput(name, value),
    setSecret: (value) => core.setSecret(value),
    info: (message) => core.info(message),
    notice: (message, place) => core.notice(message, place),
    warning: (message, place) => core.warning(message, place),
    error: (message, place) => core.error(message, place),
    setFailed: (message) => core.setFailed(message),
    appendSummary: async (markdown) => {
      const file = env.GITHUB_STEP_SUMMARY;
      if (!file) return false;
      await appendFile(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`, 'utf8');
      return true;
    },
  };
}
