/** An ActionCore that records what the action told the runner, for assertions. */
import type { ActionCore, AnnotationPlace } from '../../../src/github/action-core.js';

export interface RecordedMessage {
  level: 'info' | 'notice' | 'warning' | 'error';
  message: string;
  place?: AnnotationPlace;
}

export interface RecordingCore extends ActionCore {
  outputs: Record<string, string>;
  secrets: string[];
  messages: RecordedMessage[];
  summary: string;
  failed?: string;
  of(level: RecordedMessage['level']): RecordedMessage[];
}

export function recordingCore(options: { summaryAvailable?: boolean } = {}): RecordingCore {
  const rec: RecordingCore = {
    outputs: {},
    secrets: [],
    messages: [],
    summary: '',
    setOutput: (name, value) => void (rec.outputs[name] = value),
    setSecret: (value) => void rec.secrets.push(value),
    info: (message) => void rec.messages.push({ level: 'info', message }),
    notice: (message, place) => void rec.messages.push({ level: 'notice', message, ...(place ? { place } : {}) }),
    warning: (message, place) => void rec.messages.push({ level: 'warning', message, ...(place ? { place } : {}) }),
    error: (message, place) => void rec.messages.push({ level: 'error', message, ...(place ? { place } : {}) }),
    setFailed: (message) => void (rec.failed = message),
    appendSummary: async (markdown) => {
      if (options.summaryAvailable === false) return false;
      rec.summary += markdown;
      return true;
    },
    of: (level) => rec.messages.filter((m) => m.level === level),
  };
  return rec;
}
