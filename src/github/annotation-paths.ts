/**
 * Annotation paths must be relative to the repository root (GITHUB_WORKSPACE), while the engine reports them
 * relative to the project it ran in. When the project lives in a sub-folder (`working-directory: services/api`),
 * a path that exists under the project but not under the workspace gets the sub-folder prefix.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { Annotation } from '../types.js';

export function toRepoRelative(
  annotations: Annotation[],
  workspace: string,
  projectDir: string,
  exists: (path: string) => boolean = existsSync,
): Annotation[] {
  const prefix = relative(workspace, projectDir).split(sep).join('/');
  const outside = prefix.startsWith('..') || isAbsolute(prefix);
  return annotations.map((a) => {
    let path = a.path.replace(/\\/g, '/');
    if (isAbsolute(path)) {
      const rel = relative(workspace, path).split(sep).join('/');
      return rel.startsWith('..') ? a : { ...a, path: rel };
    }
    path = path.replace(/^\.\//, '');
    if (!prefix || outside || exists(join(workspace, path)) || !exists(join(projectDir, path))) return { ...a, path };
    return { ...a, path: `${prefix}/${path}` };
  });
}
