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

/** Every module specifier a file names: static imports and re-exports, `import()`, `typeof import()`. */
function specifiers(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

function upwardImports(files: readonly string[]): string[] {
  return files.flatMap((file) =>
    specifiers(file)
      .filter((s) => s.startsWith('.'))
      .map((s) => ({ s, target: relative(repo, resolve(dirname(file), s)) }))
      .filter(({ target }) => UPWARD.some((dir) => target === dir || target.startsWith(`${dir}/`)))
      .map(({ s }) => `${relative(repo, file)} imports ${s}`),
  );
}

describe('import direction', () => {
  it('nothing in src/ imports adapters/ or conformance/ by path', () => {
    const files = tsFiles(src);
    expect(files.length).toBeGreaterThan(50);
    expect(upwardImports(files)).toEqual([]);
  });

  it('the check sees static, dynamic and type imports', () => {
    const probe = join(src, 'probe.ts');
    const found = (code: string) => ts.preProcessFile(code, true, true).importedFiles.map((f) => upwardOf(probe, f.fileName));
    const upwardOf = (file: string, s: string) => relative(repo, resolve(dirname(file), s));
    expect(found("import { a } from '../adapters/aws/index.js';")).toEqual(['adapters/aws/index.js']);
    expect(found("export * from '../conformance/cases.js';")).toEqual(['conformance/cases.js']);
    expect(found("const m = await import('../adapters/local/index.js');")).toEqual(['adapters/local/index.js']);
    expect(found("type L = typeof import('../adapters/local/index.js');")).toEqual(['adapters/local/index.js']);
  });
});
