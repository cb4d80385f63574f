import { describe, expect, it } from 'vitest';
import { BUILTIN_TARGET_PACKAGES, fromModuleNotFound, missingPackages, requirePackages } from './required-packages.js';

describe('missing packages are one typed error naming the npm install line', () => {
  it('finds what is not installed, and names every missing package in one error', () => {
    expect(missingPackages(['croner', 'faasport-no-such-package', '@faasport/no-such-scoped'])).toEqual([
      'faasport-no-such-package',
      '@faasport/no-such-scoped',
    ]);
    expect(() => requirePackages('faasport build --target x', ['croner'])).not.toThrow();
    expect(() => requirePackages('faasport build --target x', ['faasport-no-such-package', '@faasport/no-such-scoped'])).toThrow(
      expect.objectContaining({
        code: 'PACKAGE_MISSING',
        message:
          'faasport build --target x needs the packages "faasport-no-such-package", "@faasport/no-such-scoped", not installed here; run: npm install faasport-no-such-package @faasport/no-such-scoped',
      }),
    );
  });

  it.each([
    ["Cannot find package '@azure/functions' imported from /p/node_modules/faasport/dist/azure.js", 'ERR_MODULE_NOT_FOUND', '@azure/functions'],
    ["Cannot find package 'fauxqs' imported from /p/x.js", 'ERR_MODULE_NOT_FOUND', 'fauxqs'],
    ["Cannot find module '@aws-sdk/client-sqs/dist-cjs/x'\nRequire stack:\n- /p/y.js", 'MODULE_NOT_FOUND', '@aws-sdk/client-sqs'],
  ])('%s → PACKAGE_MISSING naming %s', (message, code, name) => {
    const err = fromModuleNotFound(Object.assign(new Error(message), { code }), 'faasport conformance');
    expect(err).toMatchObject({ code: 'PACKAGE_MISSING', details: { packages: [name] } });
    expect(err!.message).toBe(`faasport conformance needs the package "${name}", not installed here; run: npm install ${name}`);
  });

  it('leaves a missing relative file, a builtin and other errors alone', () => {
    expect(
      fromModuleNotFound(Object.assign(new Error("Cannot find module '/p/app.ts' imported from /p/x.js"), { code: 'ERR_MODULE_NOT_FOUND' }), 'x'),
    ).toBeUndefined();
    expect(fromModuleNotFound(Object.assign(new Error("Cannot find module './util.js'"), { code: 'MODULE_NOT_FOUND' }), 'x')).toBeUndefined();
    expect(fromModuleNotFound(new TypeError('boom'), 'x')).toBeUndefined();
  });

  it('lists, per built-in target, only packages the repository itself declares (peers or dev)', async () => {
    const pkg = (await import('../package.json', { with: { type: 'json' } })).default as unknown as Record<string, Record<string, string>>;
    const declared = new Set([...Object.keys(pkg.peerDependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
    for (const [target, uses] of Object.entries(BUILTIN_TARGET_PACKAGES)) {
      for (const name of [...uses.build, ...uses.conformance, ...uses.deploy]) expect(declared.has(name), `${target}: ${name}`).toBe(true);
    }
  });
});
