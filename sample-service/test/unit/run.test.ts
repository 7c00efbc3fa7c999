// The process lifecycle (src/run.ts) with a fake process and a fake server: config errors, start failures, and
// graceful shutdown on SIGTERM / SIGINT.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/run.js';
import { silentLogger } from '../../src/ports.js';

const env = {
  DATABASE_URL: 'postgres://app@db/app',
  REDIS_URL: 'redis://cache:6379',
  JWT_SECRET: 'x'.repeat(32),
  CRM_URL: 'https://crm.example.com',
};

function fakeProcess() {
  const emitter = new EventEmitter();
  let stderr = '';
  return {
    once: (signal: 'SIGTERM' | 'SIGINT', listener: () => void) => emitter.once(signal, listener),
    emit: (signal: string) => emitter.emit(signal),
    stderr: { write: (text: string) => (stderr += text) },
    get stderrText() {
      return stderr;
    },
  };
}

describe('run', () => {
  it('returns 1 and writes one line per bad variable when the environment is invalid', async () => {
    const proc = fakeProcess();

    const code = await run({ ...env, REDIS_URL: undefined, PORT: 'x' }, proc, { logger: silentLogger });

    expect(code).toBe(1);
    expect(proc.stderrText.split('\n').filter(Boolean)).toEqual([
      'sample-service: invalid configuration, fix these environment variables:',
      '  REDIS_URL is not set: set it to a Redis URL such as redis://localhost:6379',
      '  PORT must be an integer between 0 and 65535 (default 3000)',
    ]);
  });

  it('returns 1 with the reason when the server cannot start', async () => {
    const proc = fakeProcess();

    const code = await run(env, proc, {
      logger: silentLogger,
      start: () => Promise.reject(new Error('listen EADDRINUSE: address already in use 0.0.0.0:3000')),
    });

    expect(code).toBe(1);
    expect(proc.stderrText).toBe('sample-service: could not start: listen EADDRINUSE: address already in use 0.0.0.0:3000\n');
  });

  it.each(['SIGTERM', 'SIGINT'])('closes the server on %s and returns 0', async (signal) => {
    const proc = fakeProcess();
    const events: string[] = [];
    const started = new Promise<void>((resolve) => {
      void run(env, proc, {
        logger: silentLogger,
        start: async (config) => {
          events.push(`start:${config.port}`);
          resolve();
          return { port: 3000, url: 'http://127.0.0.1:3000', close: async () => void events.push('close') };
        },
      }).then((code) => events.push(`exit:${code}`));
    });
    await started;
    await Promise.resolve();
    expect(events).toEqual(['start:3000']);

    proc.emit(signal);
    await new Promise((resolve) => setImmediate(resolve));

    expect(events).toEqual(['start:3000', 'close', 'exit:0']);
  });
});
