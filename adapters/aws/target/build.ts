import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { assertSupported, FaasportError, retriedConsumers, type App, type BuildOptions, type BuildResult, type FunctionDefinition } from 'faasport';
import { adapter } from '../runtime/adapter.js';
import { SNS_MAX_MESSAGE_BYTES } from '../runtime/limits.js';
import { isUnfiltered } from './infrastructure.js';
import { deadLetterQueueName, sqsQueueName, LAMBDA_ASYNC_MAX_ATTEMPTS, redriveMaxReceiveCount } from '../runtime/names.js';
import { RUNTIME_ESBUILD_TARGET, RUNTIME_NODE_MAJOR, sourceAliases } from 'faasport/adapter-kit';

/** The bundle Lambda loads; each function's handler is `index.<functionName>`. */
export const BUNDLE_FILE = 'index.mjs';
export const MANIFEST_FILE = 'faasport-aws.json';

/**
 * Writes a deployable Lambda folder for `faasport build --target aws`: `index.mjs`, one
 * self-contained ESM bundle exporting one async handler per function, named after it (set
 * the Lambda handler to `index.<name>`), and `faasport-aws.json` describing each function's
 * trigger, queues and dead-letter queues for deploy tooling. `@aws-sdk/*` stays external:
 * the Lambda Node.js runtimes provide it.
 *
 * @example
 * ```ts
 * import { build } from 'faasport/aws/target';
 * import { app } from './app.js';
 * await build({ entry: '/abs/app.ts', exportName: 'app', outDir: '/abs/dist/aws', app, log: console.log });
 * ```
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const { app, entry, exportName, outDir, log } = options;
  assertSupported(app, adapter);
  checkTopics(app);
  for (const fn of app.functions) {
    if (fn.kind === 'event' && fn.maxAttempts > LAMBDA_ASYNC_MAX_ATTEMPTS) {
      log(
        `warning: event function "${fn.name}" has maxAttempts ${fn.maxAttempts}, but Lambda retries an asynchronous invocation at most twice: on aws it runs at most ${LAMBDA_ASYNC_MAX_ATTEMPTS} attempts, then the event goes to its failed-events queue (an app only for aws can set maxAttempts: ${LAMBDA_ASYNC_MAX_ATTEMPTS} to say so; gcp takes no fewer than 5 for an event function, so a portable app keeps this warning)`,
      );
    }
  }
  const { build: esbuild } = await import('esbuild');
  const aliases = sourceAliases(import.meta.url);
  await mkdir(outDir, { recursive: true });
  await rm(join(outDir, BUNDLE_FILE), { force: true });
  const result = await esbuild({
    stdin: { contents: entrySource(app, entry, exportName), resolveDir: dirname(entry), sourcefile: 'faasport-aws-entry.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: RUNTIME_ESBUILD_TARGET,
    outfile: join(outDir, BUNDLE_FILE),
    sourcemap: 'linked',
    metafile: true,
    // CommonJS dependencies inside an ESM bundle still call require().
    banner: { js: "import { createRequire as __faasportRequire } from 'node:module';\nconst require = __faasportRequire(import.meta.url);" },
    // The runtime provides the AWS SDK v3; esbuild is only reached by build() itself.
    external: ['@aws-sdk/*', 'esbuild'],
    ...(aliases ? { alias: aliases } : {}),
    logLevel: 'silent',
  });
  const foreign = Object.keys(result.metafile.inputs).filter((f) => /(^|\/)(@azure|@google-cloud|adapters\/(azure|gcp|local))\//.test(f));
  if (foreign.length > 0) {
    throw new FaasportError(
      'CONFIG_INVALID',
      `aws build: the bundle pulled in non-AWS code (${foreign.slice(0, 3).join(', ')}); import faasport/aws, not the other adapters, from the app`,
      {
        details: { foreign },
      },
    );
  }
  await writeFile(join(outDir, MANIFEST_FILE), JSON.stringify(manifest(app), null, 2) + '\n');
  log(`aws: wrote ${BUNDLE_FILE} with ${app.functions.length} handler(s): ${app.functions.map((f) => f.name).join(', ')}`);
  for (const line of retryEnforcement(app)) log(line);
  for (const fn of app.functions) {
    if (fn.kind === 'event' && isUnfiltered(fn)) {
      log(
        `aws: event "${fn.name}" has no type or source filter: it takes the events put on the app's own bus (the stack's EventBusName output), not every event of the account; give it a source (e.g. source: 'aws.s3') to take AWS service events from the default bus`,
      );
    }
  }
  return { outDir, files: [BUNDLE_FILE, `${BUNDLE_FILE}.map`, MANIFEST_FILE] };
}

/**
 * One build-log line per queue consumer and topic subscriber: who dead-letters a message
 * that keeps failing, and after how many attempts. On aws SQS counts receives itself, so
 * its redrive policy enforces every `maxAttempts` SQS accepts.
 */
export function retryEnforcement(app: App): string[] {
  return retriedConsumers(app).map(({ fn, label }) => {
    const q = fn.source;
    if (!q.deadLetter) return `aws: ${label}: faasport deletes a message after attempt ${q.maxAttempts} (deadLetter: false; no redrive policy)`;
    return `aws: ${label}: SQS redrive dead-letters at ${redriveMaxReceiveCount(q)} (maxReceiveCount); faasport writes the dead-letter envelope with the handler's error on that attempt`;
  });
}

/** The generated entry: the app, toLambda, and one named export per function. */
export function entrySource(app: App, entry: string, exportName: string): string {
  const importName = exportName === 'default' ? 'default as app' : `${exportName} as app`;
  const lines = [`import { toLambda } from 'faasport/aws';`, `import { ${importName} } from ${JSON.stringify(entry)};`, `const handlers = toLambda(app);`];
  app.functions.forEach((fn, i) => {
    lines.push(`const h${i} = handlers[${JSON.stringify(fn.name)}];`);
    // Function names may contain "-": export under the exact name with a string export name.
    lines.push(`export { h${i} as ${JSON.stringify(fn.name)} };`);
  });
  return lines.join('\n') + '\n';
}

function checkTopics(app: App): void {
  for (const topic of app.topics) {
    if (topic.maxMessageBytes !== undefined && topic.maxMessageBytes > SNS_MAX_MESSAGE_BYTES) {
      throw new FaasportError(
        'CAPABILITY_UNSUPPORTED',
        `topic "${topic.name}": maxMessageBytes ${topic.maxMessageBytes} is not supported on aws; SNS accepts ${SNS_MAX_MESSAGE_BYTES} bytes, use at most that`,
        { details: { adapter: 'aws', what: `topic "${topic.name}"`, need: 'maxMessageBytes' } },
      );
    }
  }
}

/** What deploy tooling needs to wire each function to its trigger. */
export function manifest(app: App): Record<string, unknown> {
  return {
    app: app.name,
    runtime: `nodejs${RUNTIME_NODE_MAJOR}.x` as const,
    functions: app.functions.map((fn) => ({
      name: fn.name,
      handler: `index.${fn.name}`,
      timeoutSeconds: Math.ceil(fn.timeoutMs / 1000),
      memoryMb: fn.memoryMb,
      provisionedConcurrency: fn.warm,
      trigger: trigger(fn),
    })),
    queues: app.queues.map((q) => ({
      name: sqsQueueName(q.name, q.fifo),
      fifo: q.fifo,
      delaySeconds: q.delaySeconds,
      deadLetterQueue: q.deadLetter ? sqsQueueName(`${q.name}-dlq`, q.fifo) : null,
      // The same policy as the SAM template (one helper): a backstop for a failed dead-letter write.
      redrive: q.deadLetter ? { maxReceiveCount: redriveMaxReceiveCount(q) } : null,
      ...(q.maxMessageBytes !== undefined ? { maximumMessageSize: q.maxMessageBytes } : {}),
    })),
    topics: app.topics.map((t) => ({ name: t.name })),
  };
}

function trigger(fn: FunctionDefinition): Record<string, unknown> {
  switch (fn.kind) {
    case 'http':
      return { type: 'http', route: fn.route.route, methods: fn.methods, public: fn.public };
    case 'queue':
      return {
        type: 'sqs',
        queue: sqsQueueName(fn.source.name, fn.source.fifo),
        batchSize: fn.source.fifo ? Math.min(10, fn.source.batchSize) : fn.source.batchSize,
        functionResponseTypes: ['ReportBatchItemFailures'],
        deadLetterQueue: fn.source.deadLetter ? sqsQueueName(deadLetterQueueName(fn), fn.source.fifo) : null,
      };
    case 'topic':
      return {
        type: 'sns-via-sqs',
        topic: fn.source.name,
        subscriptionQueue: `${fn.source.name}-${fn.name}`,
        functionResponseTypes: ['ReportBatchItemFailures'],
        deadLetterQueue: fn.source.deadLetter ? deadLetterQueueName(fn) : null,
      };
    case 'schedule':
      return { type: 'schedule', cron: fn.cron ?? null, timezone: fn.timezone ?? null, everyMinutes: fn.everyMs ? fn.everyMs / 60_000 : null };
    case 'event':
      return {
        type: 'eventbridge',
        bus: isUnfiltered(fn) ? 'app' : 'default',
        source: fn.source ?? null,
        detailType: fn.type ?? null,
        maximumRetryAttempts: Math.min(2, fn.maxAttempts - 1),
      };
  }
}
