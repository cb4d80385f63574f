import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * When `moduleUrl` runs from faasport's own source checkout (tests, `npm run dev`), the
 * package's entries as esbuild `alias`es to their source files (`faasport/aws` ->
 * adapters/aws/index.ts), read from the checkout's tsconfig.json `paths`; a build bundles the
 * code being tested, not a stale dist/. From the installed package, undefined: the entries
 * resolve through node_modules as in any project.
 */
export function sourceAliases(moduleUrl: string): Record<string, string> | undefined {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    const tsconfig = join(dir, 'tsconfig.json');
    if (existsSync(tsconfig) && existsSync(join(dir, 'src', 'index.ts'))) {
      const paths = (JSON.parse(readFileSync(tsconfig, 'utf8')) as { compilerOptions?: { paths?: Record<string, string[]> } }).compilerOptions?.paths ?? {};
      if (paths.faasport?.[0] === './src/index.ts') {
        return Object.fromEntries(Object.entries(paths).map(([name, [file]]) => [name, resolve(dir, file!)]));
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
