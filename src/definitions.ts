import type { BackoffPolicy } from './backoff.js';
import type { CompiledRoute } from './route.js';
import type { EventHandler, HttpHandler, QueueHandler, ScheduleHandler } from './types.js';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Options every function kind accepts. */
export interface CommonFunctionOptions {
  /** How long one invocation may run, in ms (default 30 000). */
  timeoutMs?: number;
  /** Memory for the function where the platform lets you choose, in MB (default 256). */
  memoryMb?: number;
  /** Instances kept warm (provisioned concurrency / minimum instances); default 0. */
  warm?: number;
  /**
   * The queues and topics this function sends or publishes to (objects or names). The deploy
   * files grant exactly these and nothing else, and a send to anything not listed fails
   * with SEND_UNDECLARED on every runtime, the local one included, so a missing entry shows
   * up in `faasport dev`, not as an access-denied error in the cloud. Default: none.
   */
  sends?: readonly (string | { readonly name: string })[];
}

export interface HttpOptions extends CommonFunctionOptions {
  /** One method, a list, or `'*'` for any (default `'GET'`). */
  method?: HttpMethod | HttpMethod[] | '*';
  /** `/path/:param`, with an optional trailing `*`. */
  route: string;
  /** Reachable without platform auth (API key / IAM / function key). Default false. */
  public?: boolean;
}

export interface QueueOptions {
  /** Deliveries before the message is dead-lettered (default 5). */
  maxAttempts?: number;
  /** Delay between attempts; `false` retries as soon as the platform allows. */
  backoff?: Partial<BackoffPolicy> | false;
  /** Keep messages that failed `maxAttempts` times in a dead-letter queue (default true). */
  deadLetter?: boolean;
  /** How long a delivered message stays hidden from other consumers, ms (default 6 × consumer timeout). */
  visibilityTimeoutMs?: number;
  /** Messages handed to one invocation where the platform batches (default 10). Handlers still see one message per call. */
  batchSize?: number;
  /** First-in-first-out per `groupId`; every send must then name a groupId. */
  fifo?: boolean;
  /** Default delay before a sent message becomes visible, seconds (0-900). */
  delaySeconds?: number;
  /** Largest message accepted by `send`, bytes (default: the target's limit, 256 KiB when it states none). */
  maxMessageBytes?: number;
}

export type TopicOptions = Omit<QueueOptions, 'fifo' | 'delaySeconds' | 'batchSize' | 'visibilityTimeoutMs'>;

export interface SendOptions {
  delaySeconds?: number;
  groupId?: string;
  /** Extra string attributes; names match /^[A-Za-z][A-Za-z0-9_.-]*$/ and must not start with "faasport-". */
  attributes?: Record<string, string>;
  /** For FIFO queues: messages with the same id within the platform's window are delivered once. */
  deduplicationId?: string;
}

export type ScheduleOptions = CommonFunctionOptions & ({ cron: string; timezone?: string } | { every: string | number });

export interface EventOptions extends CommonFunctionOptions {
  /** Only events of this CloudEvents `type`; a trailing `*` matches a prefix. */
  type?: string;
  /** Only events from this `source`; a trailing `*` matches a prefix. */
  source?: string;
  /** Deliveries before the event is dead-lettered (default 5). */
  maxAttempts?: number;
}

export interface ResolvedQueueOptions {
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy | false;
  readonly deadLetter: boolean;
  readonly visibilityTimeoutMs: number | undefined;
  readonly batchSize: number;
  readonly fifo: boolean;
  readonly delaySeconds: number;
  /** Set only when the definition names a limit; otherwise the target's own limit applies. */
  readonly maxMessageBytes: number | undefined;
}

export interface QueueDefinition extends ResolvedQueueOptions {
  readonly kind: 'queue' | 'topic';
  readonly name: string;
}

/** Options of the app as a whole: `createApp(name, options)`. */
export interface AppOptions {
  log?: AppLogOptions;
}

/** How `ctx.log` redacts, for every function of the app. */
export interface AppLogOptions {
  /**
   * Field paths whose values `ctx.log` writes as `"[redacted]"`, read as pino's `redact` paths:
   * `password`, `card.number`, `headers["x-api-key"]`, `users[*].email`, `*.token`. A path
   * names one place in the fields of a call (or of `ctx.log.child`); `*` is any key or index.
   */
  redact?: readonly string[];
  /**
   * Environment variables whose values are secrets although their names do not say so
   * (faasport already redacts names with SECRET, PASSWORD, TOKEN, KEY, CREDENTIAL, connection
   * strings and AzureWebJobsStorage). Same as listing them in `FAASPORT_REDACT_ENV`.
   */
  redactEnv?: readonly string[];
}

interface BaseFunctionDefinition {
  readonly name: string;
  /** The app's `log.redact` paths, for the runtime to hand to `ctx.log`. */
  readonly logRedact?: readonly string[];
  readonly timeoutMs: number;
  readonly memoryMb: number;
  readonly warm: number;
  /** Names of the queues and topics the function declared it sends to (see `sends`). */
  readonly sends: readonly string[];
}

export interface HttpFunctionDefinition extends BaseFunctionDefinition {
  readonly kind: 'http';
  readonly methods: readonly HttpMethod[] | '*';
  readonly route: CompiledRoute;
  readonly public: boolean;
  readonly handler: HttpHandler;
}

export interface QueueFunctionDefinition extends BaseFunctionDefinition {
  readonly kind: 'queue' | 'topic';
  /** The queue or topic this function consumes. */
  readonly source: QueueDefinition;
  readonly handler: QueueHandler<unknown>;
}

export interface ScheduleFunctionDefinition extends BaseFunctionDefinition {
  readonly kind: 'schedule';
  readonly cron: string | undefined;
  readonly timezone: string | undefined;
  readonly everyMs: number | undefined;
  readonly handler: ScheduleHandler;
}

export interface EventFunctionDefinition extends BaseFunctionDefinition {
  readonly kind: 'event';
  readonly type: string | undefined;
  readonly source: string | undefined;
  readonly maxAttempts: number;
  readonly handler: EventHandler<unknown>;
}

export type FunctionDefinition = HttpFunctionDefinition | QueueFunctionDefinition | ScheduleFunctionDefinition | EventFunctionDefinition;

/** True when `pattern` (exact, or prefix with a trailing `*`) admits `value`. */
export function matchesFilter(pattern: string | undefined, value: string): boolean {
  if (pattern === undefined) return true;
  return pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : value === pattern;
}
