import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { app as shop } from '../../../examples/shop/app.js';
import { createApp } from 'faasport';
import { build, BUNDLE_FILE, manifest, retryEnforcement } from './build.js';
import { awsTemplate } from './infrastructure.js';

const out = mkdtempSync(join(tmpdir(), 'faasport-aws-build-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('aws build', () => {
  test('the manifest and the SAM template agree on the redrive policy: maxReceiveCount = maxAttempts', () => {
    const fromManifest = (manifest(shop).queues as { name: string; redrive: { maxReceiveCount: number } | null }[]).find((q) => q.name === 'orders');
    const resources = (awsTemplate(shop) as { Resources: Record<string, { Properties: { RedrivePolicy?: { maxReceiveCount: number } } }> }).Resources;
    expect(fromManifest?.redrive).toEqual({ maxReceiveCount: 3 });
    expect(resources.OrdersQueue!.Properties.RedrivePolicy?.maxReceiveCount).toBe(3);
  });

  test("says, at build time, that an event function gets at most 3 attempts on Lambda, who enforces each queue's count, and where the unfiltered event function listens", async () => {
    const lines: string[] = [];
    await build({
      entry: fileURLToPath(new URL('../../../examples/shop/app.ts', import.meta.url)),
      exportName: 'app',
      outDir: out,
      app: shop,
      log: (l) => lines.push(l),
    });
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^warning: event function "onEvent" has maxAttempts 5, but Lambda retries an asynchronous invocation at most twice: on aws it runs at most 3 attempts/,
      ),
    );
    expect(lines.filter((l) => l.startsWith('warning:'))).toHaveLength(1);
    expect(lines).toContain(
      'aws: queue "orders": SQS redrive dead-letters at 3 (maxReceiveCount); faasport writes the dead-letter envelope with the handler\'s error on that attempt',
    );
    expect(lines).toContainEqual(expect.stringMatching(/^aws: topic "shipped" subscriber "notifyCustomer": SQS redrive dead-letters at 5 /));
    expect(lines).toContainEqual(expect.stringMatching(/^aws: event "onEvent" has no type or source filter: it takes the events put on the app's own bus/));
    expect((manifest(shop).functions as { name: string; trigger: { bus?: string } }[]).find((f) => f.name === 'onEvent')?.trigger.bus).toBe('app');
  }, 30_000);

  test('the shop Lambda bundle carries the runtime only: nothing from target/, dev/ or testing/, the CLI, the composition root or inversify', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faasport-aws-bundle-'));
    try {
      await build({
        entry: fileURLToPath(new URL('../../../examples/shop/app.ts', import.meta.url)),
        exportName: 'app',
        outDir: dir,
        app: shop,
        log: () => {},
      });
      const sources = (JSON.parse(readFileSync(join(dir, `${BUNDLE_FILE}.map`), 'utf8')) as { sources: string[] }).sources;
      expect(sources.some((s) => s.includes('adapters/aws/runtime/to-lambda.ts'))).toBe(true);
      expect(
        sources.filter((s) =>
          /adapters\/[a-z]+\/(target|dev|testing)\/|conformance\/|src\/(cli|composition-root|load-app|cli-steps|staging-folder|dev-[a-z-]+)\.ts|node_modules\/inversify/.test(
            s,
          ),
        ),
      ).toEqual([]);
      // What moved them: control-api.ts and lambda-runtime-host.ts put top-level createRequire calls in every bundle.
      // The banner's require (`__faasportRequire`, for bundled CommonJS) is the only top-level one.
      const code = readFileSync(join(dir, BUNDLE_FILE), 'utf8');
      expect(code.match(/^(?:var|let|const) \w+ = createRequire\d*\(/gm) ?? []).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  test('leaves no esbuild service holding the process: a script that builds exits on its own, with no child process or pipe left', async () => {
    // A real child process (not a timing): it ends only when nothing holds its event loop.
    const childOut = join(out, 'child');
    const script = [
      `import { build } from ${JSON.stringify(new URL('./build.ts', import.meta.url).href)};`,
      `import { app } from ${JSON.stringify(new URL('../../../examples/shop/app.ts', import.meta.url).href)};`,
      `await build({ entry: ${JSON.stringify(fileURLToPath(new URL('../../../examples/shop/app.ts', import.meta.url)))}, exportName: 'app', outDir: ${JSON.stringify(childOut)}, app, log: () => {} });`,
      // What still holds the event loop after the build (stdio is ignored, so no pipe is its own).
      `writeFileSync(${JSON.stringify(join(out, 'resources.json'))}, JSON.stringify(process.getActiveResourcesInfo()));`,
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import { writeFileSync } from 'node:fs';\n${script}`], {
      cwd: fileURLToPath(new URL('../../../', import.meta.url)),
      stdio: 'ignore',
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    const resources = JSON.parse(readFileSync(join(out, 'resources.json'), 'utf8')) as string[];
    expect(resources.filter((r) => /ChildProcess|Process|Pipe/.test(r))).toEqual([]);
    expect(existsSync(join(childOut, 'index.mjs'))).toBe(true);
  }, 60_000);

  test('a consumer without dead letters is said to be deleted after its last attempt', () => {
    const app = createApp('t');
    app.queue('jobs', { maxAttempts: 2, deadLetter: false }).consume('work', async () => {});
    expect(retryEnforcement(app)).toEqual(['aws: queue "jobs": faasport deletes a message after attempt 2 (deadLetter: false; no redrive policy)']);
  });
});
