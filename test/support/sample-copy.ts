import { cpSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SAMPLE_SERVICE = resolve(import.meta.dirname, '../../sample-service');

/**
 * Copies sample-service into `dest` without its installed or generated folders, and links the real node_modules.
 * Runs on the copy must skip the install stage: `npm ci` through the link would empty the real sample's node_modules.
 */
export function copySampleService(dest: string): string {
  cpSync(SAMPLE_SERVICE, dest, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|out|\.backend-ci|coverage)([/\\]|$)/.test(src.slice(SAMPLE_SERVICE.length)),
  });
  symlinkSync(join(SAMPLE_SERVICE, 'node_modules'), join(dest, 'node_modules'), 'dir');
  return dest;
}
