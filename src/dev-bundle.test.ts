import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createAppBundler } from './dev-bundle.js';

const core = JSON.stringify(fileURLToPath(new URL('./index.ts', import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), 'faasport-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a small project; returns the path of its app.ts. */
function project(name: string, files: Record<string, string>): string {
  for (const [file, text] of Object.entries(files)) {
    const path = join(dir, name, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return join(dir, name, 'app.ts');
}

describe('createAppBundler (faasport dev loads)', () => {
  it("bundles the app's own files and lists them for watching; faasport stays external; each load is a new module", async () => {
    const entry = project('ok', {
      'app.ts': `import { createApp } from ${core};\nimport { where } from './lib/where.js';\nexport const app = createApp('b');\nexport const seen = { entry: import.meta.url, helper: where };\n`,
      'lib/where.ts': 'export const where: string = import.meta.url;\n',
    });
    const bundler = createAppBundler(entry, dir);
    const { loaded, files } = await bundler.load();
    // faasport itself is not among them: it stays external, one copy shared with the dev server.
    expect([...files].sort()).toEqual([entry, join(dir, 'ok/lib/where.ts')]);
    expect(loaded.exportName).toBe('app');
    const second = await bundler.load();
    expect(second.loaded.app).not.toBe(loaded.app);
  });

  it('import.meta.url in a bundled file is that file, not the bundle', async () => {
    const entry = project('meta', {
      'app.ts': `import { createApp } from ${core};\nimport { where } from './where.js';\nexport const app = createApp('m');\napp.http('w', { route: '/w' }, () => new Response(where + ' ' + import.meta.url));\n`,
      'where.ts': 'export const where: string = import.meta.url;\n',
    });
    const { loaded } = await createAppBundler(entry, dir).load();
    const def = loaded.app.getFunction('w');
    if (def?.kind !== 'http') throw new Error('no http function "w"');
    const response = await def.handler(new Request('http://x/w'), undefined as never);
    expect(await response.text()).toBe(`${pathToFileURL(join(dir, 'meta/where.ts')).href} ${pathToFileURL(entry).href}`);
  });

  it.each([
    ['a syntax error', { 'app.ts': 'export const = 1;\n' }, /^load app: .*app\.ts:1:13: Expected identifier but found "="$/, 'CONFIG_INVALID'],
    ['a missing relative import', { 'app.ts': "import './gone.js';\n" }, /^load app: .*app\.ts:1:7: Could not resolve "\.\/gone\.js"$/, 'CONFIG_INVALID'],
    ['a package that is not installed', { 'app.ts': "import 'left-pad-not-installed';\n" }, /npm install left-pad-not-installed/, 'PACKAGE_MISSING'],
    ['no exported app', { 'app.ts': 'export const x = 1;\n' }, /exports no app/, 'CONFIG_INVALID'],
  ])('%s is one typed error naming the file and the first problem', async (name, files, message, code) => {
    await expect(createAppBundler(project(name.replace(/\W/g, '-'), files), dir).load()).rejects.toMatchObject({
      code,
      message: expect.stringMatching(message),
    });
  });
});
