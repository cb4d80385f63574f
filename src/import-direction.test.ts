import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The core sits below everything else: adapters and the conformance suite import it, never
// the other way round. What the CLI needs from them it loads through the package's own
// entries (`faasport/aws`, `faasport/conformance`), as it loads a third party's module.
const repo = fileURLToPath(new URL('..', import.meta.url));
const src = join(repo, 'src');
const UPWARD = ['adapters', 'conformance'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every module specifier `code` names: static imports and re-exports, `import()`, `typeof import()`. */
function specifiers(code: string): string[] {
  return ts.preProcessFile(code, true, true).importedFiles.map((f) => f.fileName);
}

/** The imports of each file (path and code) that reach into adapters/ or conformance/. */
function upwardImports(files: readonly { path: string; code: string }[]): string[] {
  return files.flatMap(({ path, code }) =>
    specifiers(code)
      .filter((s) => s.startsWith('.'))
      .filter((s) => {
        const target = relative(repo, resolve(dirname(path), s));
        return UPWARD.some((dir) => target === dir || target.startsWith(`${dir}/`));
      })
      .map((s) => `${relative(repo, path)} imports ${s}`),
  );
}

describe('import direction', () => {
  it('nothing in src/ imports adapters/ or conformance/ by path', () => {
    const files = tsFiles(src).map((path) => ({ path, code: readFileSync(path, 'utf8') }));
    expect(files.length).toBeGreaterThan(50);
    expect(upwardImports(files)).toEqual([]);
  });

  it('the check sees static, dynamic and type imports, and lets package entries and the core through', () => {
    const path = join(src, 'cost', 'probe.ts');
    const code = [
      "import { a } from '../../adapters/aws/index.js';",
      "export * from '../../conformance/cases.js';",
      "const m = await import('../../adapters/local/index.js');",
      "type L = typeof import('../../conformance/index.js');",
      "import { b } from '../app.js';",
      "import { c } from 'faasport/aws';",
    ].join('\n');
    expect(upwardImports([{ path, code }])).toEqual([
      'src/cost/probe.ts imports ../../adapters/aws/index.js',
      'src/cost/probe.ts imports ../../conformance/cases.js',
      'src/cost/probe.ts imports ../../adapters/local/index.js',
      'src/cost/probe.ts imports ../../conformance/index.js',
    ]);
  });
});
