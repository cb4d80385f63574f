import type { Adapter } from './adapter.js';
import type { BuildOptions, BuildResult, DeployOptions } from './build.js';
import type { ConformanceHarness, ExpectedFailure } from './conformance-harness.js';
import { FaasportError } from './errors.js';

/**
 * Everything the CLI can do with one target, in one object: the adapter (name and
 * capabilities), and optionally how to build a deployable folder, write the infrastructure
 * files beside it, deploy it, and run the conformance suite against it.
 */
export interface Target {
  readonly adapter: Adapter;
  /** `faasport build`: writes a deployable folder. */
  build?(options: BuildOptions): Promise<BuildResult>;
  /** Infrastructure-as-code beside the built code (SAM, ARM, gcloud scripts), least privilege. */
  writeInfrastructure?(options: BuildOptions): Promise<BuildResult>;
  /** `faasport deploy`. */
  deploy?(options: DeployOptions): Promise<void>;
  /**
   * `faasport conformance`: the harness that starts the runtime for the suite. It may return a
   * promise, so a target loads its harness (and the emulators the harness starts) only when
   * the suite runs: `faasport build` and `faasport deploy` never load them.
   */
  conformanceHarness?(): ConformanceHarness | Promise<ConformanceHarness>;
  /** Conformance tests this target is known to fail, each with its reason. */
  readonly expectedFailures?: readonly ExpectedFailure[];
}

/** What `faasport build` and `faasport deploy` loaded before `Target` carried the harness too. */
export type TargetModule = Target;

const FUNCTIONS = ['build', 'writeInfrastructure', 'deploy', 'conformanceHarness'] as const;

/**
 * Declares a target: checks its shape once, where it is written, and returns it unchanged. A
 * module passed to `--target` / `--adapter` exports it as `target` (or, as before, exports
 * `adapter`, `build`, ... one by one).
 *
 * @example
 * ```ts
 * import { defineAdapter, defineTarget } from 'faasport';
 * import { myHarness } from './harness.js';
 *
 * export const adapter = defineAdapter({
 *   name: 'my-runtime',
 *   capabilities: {
 *     http: true, queues: true, topics: false, schedules: false, events: false, fifo: false,
 *     maxDelaySeconds: 0, batchSend: false, maxMessageBytes: 256 * 1024,
 *     maxAttempts: { min: 1, max: 10 }, maxHttpBodyBytes: 6 * 1024 * 1024, maxTimeoutMs: 60_000,
 *   },
 * });
 * export const target = defineTarget({ adapter, conformanceHarness: myHarness, expectedFailures: [] });
 * ```
 */
export function defineTarget<T extends Target>(target: T): T {
  return checkTarget(target, 'defineTarget()');
}

/**
 * The target a loaded module declares: its `target` export, else its loose exports (`adapter`,
 * `build`, `writeInfrastructure`, `deploy`, `conformanceHarness`, `expectedFailures`).
 * Throws ADAPTER_INVALID naming `what` when the module declares none.
 */
export function targetOf(mod: Record<string, unknown>, what: string): Target {
  const declared = mod.target ?? mod;
  return checkTarget(declared as Target, what);
}

function checkTarget<T extends Target>(target: T, what: string): T {
  const adapter = (target as Partial<Target> | undefined)?.adapter;
  if (!adapter || typeof adapter.name !== 'string' || typeof adapter.capabilities !== 'object' || adapter.capabilities === null) {
    throw new FaasportError('ADAPTER_INVALID', `${what}: the module must export "adapter" made with defineAdapter() (or "target" made with defineTarget())`);
  }
  for (const name of FUNCTIONS) {
    const value = (target as unknown as Record<string, unknown>)[name];
    if (value !== undefined && typeof value !== 'function') {
      throw new FaasportError('ADAPTER_INVALID', `${what}: "${name}" must be a function, got ${typeof value}; export the function or leave it out`);
    }
  }
  if (target.expectedFailures !== undefined && !Array.isArray(target.expectedFailures)) {
    throw new FaasportError('ADAPTER_INVALID', `${what}: "expectedFailures" must be an array of { test, reason }`);
  }
  return target;
}
