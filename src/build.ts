import type { App } from './app.js';
import type { QueueFunctionDefinition } from './definitions.js';

/** What `faasport build` hands an adapter module. */
export interface BuildOptions {
  /** Absolute path of the app module (TypeScript or JavaScript) that exports the app. */
  readonly entry: string;
  /** Name of the export that holds the app (`app` or `default`). */
  readonly exportName: string;
  /** Absolute output folder; the adapter owns everything in it. */
  readonly outDir: string;
  /** The loaded app, to read definitions from (never bundled from this object). */
  readonly app: App;
  /** Progress lines for the user. */
  readonly log: (line: string) => void;
  /** `--cloud`, for a target that deploys to several clouds (the container target: aws, gcp, azure). */
  readonly cloud?: string;
}

export interface BuildResult {
  readonly outDir: string;
  /** Files written, relative to outDir. */
  readonly files: readonly string[];
}

/** What `faasport deploy` hands an adapter module. */
export interface DeployOptions {
  readonly entry: string;
  readonly exportName: string;
  readonly app: App;
  /** Where the built folder ends up once the deploy succeeded. */
  readonly outDir: string;
  /** The command line after `deploy`; target options (`--endpoint-url`, `--yes`, …) are read from it. */
  readonly args: readonly string[];
  readonly log: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Every queue consumer and topic subscriber of `app` with the name build logs give it
 * (`queue "orders"`, `topic "shipped" subscriber "notify"`): what a target's build log walks
 * to say, per queue, who enforces `maxAttempts`.
 *
 * @example
 * ```ts
 * import { createApp, retriedConsumers } from 'faasport';
 * const app = createApp('shop');
 * app.queue('orders', { maxAttempts: 3 }).consume('fulfil', async () => {});
 * retriedConsumers(app).map((c) => c.label); // ['queue "orders"']
 * ```
 */
export function retriedConsumers(app: App): { readonly fn: QueueFunctionDefinition; readonly label: string }[] {
  return app.functions
    .filter((f): f is QueueFunctionDefinition => f.kind === 'queue' || f.kind === 'topic')
    .map((fn) => ({ fn, label: fn.kind === 'queue' ? `queue "${fn.source.name}"` : `topic "${fn.source.name}" subscriber "${fn.name}"` }));
}
