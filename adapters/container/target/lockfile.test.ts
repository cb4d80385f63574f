import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runtimeDependencies } from './lockfile.js';

describe('runtimeDependencies', () => {
  it('a package the image needs and this project lacks is PACKAGE_MISSING, naming the npm install line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faasport-lockfile-'));
    try {
      expect(() => runtimeDependencies('shop', ['@aws-sdk/client-sqs', 'faasport-no-such-package'], dir)).toThrowError(
        expect.objectContaining({
          code: 'PACKAGE_MISSING',
          message: expect.stringContaining('npm install @aws-sdk/client-sqs faasport-no-such-package and build again'),
          details: { packages: ['@aws-sdk/client-sqs', 'faasport-no-such-package'] },
        }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
