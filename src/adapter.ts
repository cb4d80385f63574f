import type { App } from './app.js';
import { FaasportError } from './errors.js';
import type { FunctionDefinition, QueueDefinition } from './definitions.js';

/**
 * What a runtime can do. A definition that needs something the target lacks is refused
 * with CAPABILITY_UNSUPPORTED at build or start time, never silently ignored.
 */
export interface Capabilities {
  readonly http: boolean;
  readonly queues: boolean;
  readonly topics: boolean;
  readonly schedules: boolean;
  readonly events: boolean;
  /** FIFO queues / ordering keys / sessions. */
  readonly fifo: boolean;
  /** Largest per-message delay, seconds; 0 = no delayed delivery. */
  readonly maxDelaySeconds: number;
  readonly batchSend: boolean;
  /** Largest queue/topic message, bytes. */
  readonly maxMessageBytes: number;
  /** Range of maxAttempts the platform can enforce. */
  readonly maxAttempts: { readonly min: number; readonly max: number };
  /** Largest HTTP request body, bytes. */
  readonly maxHttpBodyBytes: number;
  /** Longest invocation, ms. */
  readonly maxTimeoutMs: number;
}

/** A runtime faasport can run an app on: built-in (local, aws, azure, gcp) or third-party. */
export interface Adapter {
  readonly name: string;
  readonly capabilities: Capabilities;
}

const CAPABILITY_KEYS: (keyof Capabilities)[] = [
  'http',
  'queues',
  'topics',
  'schedules',
  'events',
  'fifo',
  'maxDelaySeconds',
  'batchSend',
  'maxMessageBytes',
  'maxAttempts',
  'maxHttpBodyBytes',
  'maxTimeoutMs',
];

/**
 * Declares an adapter: a plain, frozen object. Every capability must be stated; a missing
 * or mistyped one is an ADAPTER_INVALID error naming it.
 *
 * @example
 * ```ts
 * import { defineAdapter } from 'faasport';
 * export const knative = defineAdapter({
 *   name: 'knative',
 *   capabilities: {
 *     http: true, queues: true, topics: true, schedules: false, events: true, fifo: false,
 *     maxDelaySeconds: 0, batchSend: false, maxMessageBytes: 1024 * 1024,
 *     maxAttempts: { min: 1, max: 10 }, maxHttpBodyBytes: 10 * 1024 * 1024, maxTimeoutMs: 300_000,
 *   },
 * });
 * ```
 */
export function defineAdapter<A extends Adapter>(spec: A): Readonly<A> {
  if (typeof spec !== 'object' || spec === null) throw new FaasportError('ADAPTER_INVALID', 'defineAdapter: expected an object { name, capabilities }');
  if (typeof spec.name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(spec.name)) {
    throw new FaasportError('ADAPTER_INVALID', `defineAdapter: name ${JSON.stringify(spec.name)} must be lower-case letters, digits and "-"`);
  }
  const caps = spec.capabilities as unknown as Record<string, unknown> | undefined;
  if (typeof caps !== 'object' || caps === null) throw new FaasportError('ADAPTER_INVALID', `adapter "${spec.name}": capabilities are required`);
  for (const key of CAPABILITY_KEYS) {
    const v = caps[key];
    const ok =
      key === 'maxAttempts'
        ? typeof v === 'object' && v !== null && Number.isInteger((v as { min: number }).min) && Number.isInteger((v as { max: number }).max)
        : ['http', 'queues', 'topics', 'schedules', 'events', 'fifo', 'batchSend'].includes(key)
          ? typeof v === 'boolean'
          : typeof v === 'number' && v >= 0;
    if (!ok) throw new FaasportError('ADAPTER_INVALID', `adapter "${spec.name}": capability "${key}" is missing or has the wrong type (${JSON.stringify(v)})`);
  }
  const { min, max } = spec.capabilities.maxAttempts;
  if (min < 1 || min > max) {
    throw new FaasportError('ADAPTER_INVALID', `adapter "${spec.name}": capability "maxAttempts" must be 1 <= min <= max, got { min: ${min}, max: ${max} }`);
  }
  return Object.freeze({ ...spec, capabilities: Object.freeze({ ...spec.capabilities }) });
}

/** Every way `app` needs more than `adapter` offers, as CAPABILITY_UNSUPPORTED errors. */
export function findUnsupported(app: App, adapter: Adapter): FaasportError[] {
  const caps = adapter.capabilities;
  const errors: FaasportError[] = [];
  const refuse = (what: string, need: string, alternative: string): void => {
    errors.push(
      new FaasportError('CAPABILITY_UNSUPPORTED', `${what}: ${need} is not supported on ${adapter.name}; ${alternative}`, {
        details: { adapter: adapter.name, what, need },
      }),
    );
  };
  const checkQueue = (q: QueueDefinition): void => {
    const what = `${q.kind} "${q.name}"`;
    if (q.fifo && !caps.fifo) refuse(what, 'fifo (ordering by groupId)', 'drop fifo: true or choose a target with ordering');
    if (q.delaySeconds > caps.maxDelaySeconds) refuse(what, `delaySeconds ${q.delaySeconds}`, `use at most ${caps.maxDelaySeconds}`);
    if (q.maxAttempts < caps.maxAttempts.min || q.maxAttempts > caps.maxAttempts.max) {
      refuse(what, `maxAttempts ${q.maxAttempts}`, `use a value from ${caps.maxAttempts.min} to ${caps.maxAttempts.max}`);
    }
    if (q.maxMessageBytes !== undefined && q.maxMessageBytes > caps.maxMessageBytes) {
      refuse(what, `maxMessageBytes ${q.maxMessageBytes}`, `use at most ${caps.maxMessageBytes} (the platform's limit)`);
    }
  };
  if (app.queues.length > 0 && !caps.queues) refuse(`app "${app.name}"`, 'queues', 'remove the queues or choose another target');
  if (app.topics.length > 0 && !caps.topics) refuse(`app "${app.name}"`, 'topics', 'remove the topics or choose another target');
  if (caps.queues) app.queues.forEach(checkQueue);
  if (caps.topics) app.topics.forEach(checkQueue);
  for (const fn of app.functions) checkFunction(fn, caps, refuse);
  return errors;
}

function checkFunction(fn: FunctionDefinition, caps: Capabilities, refuse: (what: string, need: string, alt: string) => void): void {
  const what = `function "${fn.name}"`;
  if (fn.kind === 'http' && !caps.http) refuse(what, 'http triggers', 'choose another target');
  if (fn.kind === 'schedule' && !caps.schedules) refuse(what, 'schedules', 'choose another target');
  if (fn.kind === 'event') {
    if (!caps.events) refuse(what, 'event triggers', 'choose another target');
    else if (fn.maxAttempts < caps.maxAttempts.min || fn.maxAttempts > caps.maxAttempts.max) {
      refuse(what, `maxAttempts ${fn.maxAttempts}`, `use a value from ${caps.maxAttempts.min} to ${caps.maxAttempts.max}`);
    }
  }
  if (fn.timeoutMs > caps.maxTimeoutMs) refuse(what, `timeoutMs ${fn.timeoutMs}`, `use at most ${caps.maxTimeoutMs}`);
}

/** Throws one CAPABILITY_UNSUPPORTED error listing everything `adapter` cannot run. */
export function assertSupported(app: App, adapter: Adapter): void {
  const errors = findUnsupported(app, adapter);
  if (errors.length === 0) return;
  throw new FaasportError(
    'CAPABILITY_UNSUPPORTED',
    errors.length === 1 ? errors[0]!.message : `app "${app.name}" cannot run on ${adapter.name}:\n- ${errors.map((e) => e.message).join('\n- ')}`,
    { details: { adapter: adapter.name, problems: errors.map((e) => e.details) } },
  );
}
