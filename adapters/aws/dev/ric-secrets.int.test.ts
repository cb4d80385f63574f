import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaryEnvironment, createCanaries, findLeaks } from '../../../conformance/security/canaries.js';
import { app } from '../../../conformance/security/secret-app.js';
import { build } from '../target/build.js';
import { loadFixture } from '../testing/fixtures.js';
import { startLambdaProcess, type LambdaProcess } from '../testing/lambda-process.js';

// What Lambda itself writes when a function fails: the runtime interface client logs the
// error it is handed ("Invoke Error", message and stack) and returns it to the caller. The
// secret app, built for AWS and run under aws-lambda-ric with secrets in its environment,
// throws errors holding them.

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const outDir = `${repoRoot}.faasport/aws-ric-secrets-${randomUUID()}`;
const entry = fileURLToPath(new URL('../../../conformance/security/secret-app.ts', import.meta.url));
const canaries = createCanaries();
const running: LambdaProcess[] = [];

beforeAll(async () => {
  await build({ entry, exportName: 'app', outDir, app, log: () => {} });
}, 120_000);

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await rm(outDir, { recursive: true, force: true });
});

describe('aws-lambda-ric is handed errors with the secrets of the environment redacted', () => {
  it.each([
    ['nightly', 'eventbridge/scheduled-event.json', 'NonError', 'a non-Error object was thrown: {"reason":"nightly export failed","key":"[redacted]"}'],
    ['onOrder', 'eventbridge/custom-order-purchased.json', 'Error', 'order sync failed: upstream refused token [redacted]'],
  ])(
    '%s throws: the function error and every line the runtime printed hold no canary; the error text stays',
    async (fn, fixture, errorType, errorMessage) => {
      const lambda = await startLambdaProcess(outDir, fn, canaryEnvironment(canaries));
      running.push(lambda);
      const result = await lambda.invoke(loadFixture(fixture));
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.body.errorType).toBe(errorType);
      expect(result.body.errorMessage).toBe(errorMessage);
      const printed = lambda.output().join('\n');
      // The runtime's own error line and faasport's "handler failed" line are both there.
      expect(printed).toMatch(/Invoke Error/);
      expect(printed).toContain('"msg":"handler failed"');
      expect([...findLeaks(canaries, 'function error', JSON.stringify(result.body)), ...findLeaks(canaries, 'runtime output', printed)]).toEqual([]);
    },
    120_000,
  );
});
