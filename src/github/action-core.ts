/**
 * The slice of the Actions runner protocol the front end uses (outputs, masks, annotations, job summary), behind an
 * interface so tests can record it. `actionsCore()` is the real one, backed by @actions/core (which writes to the
 * files named by GITHUB_OUTPUT / GITHUB_STEP_SUMMARY and prints workflow commands on stdout).
 */
import * as core from '@actions/core';

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

export function actionsCore(): ActionCore {
  return {
    setOutput: (name, value) => core.setOutput(name, value),
    setSecret: (value) => core.setSecret(value),
    info: (message) => core.info(message),
    notice: (message, place) => core.notice(message, place),
    warning: (message, place) => core.warning(message, place),
    error: (message, place) => core.error(message, place),
    setFailed: (message) => core.setFailed(message),
    appendSummary: async (markdown) => {
      if (!process.env.GITHUB_STEP_SUMMARY) return false;
      await core.summary.addRaw(markdown, true).write();
      return true;
    },
  };
}
