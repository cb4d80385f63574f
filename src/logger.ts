import { FaasportError, summariseError } from './errors.js';
import { compileRedactPaths, redactPaths } from './redact-paths.js';
import { processScrubber, redactSecrets, type SecretScrubber } from './redact-secrets.js';
/** Log levels, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export const LOG_LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * The log level the environment asks for: `FAASPORT_LOG_LEVEL` (debug, info, warn, error;
 * trace and fatal map to debug and error), else Lambda's own `AWS_LAMBDA_LOG_LEVEL`. An
 * unknown FAASPORT_LOG_LEVEL is a CONFIG_INVALID error naming `operation`: a typo must not
 * silently turn debugging off.
 */
export function logLevelFromEnv(env: NodeJS.ProcessEnv, operation: string): LogLevel | undefined {
  const own = env.FAASPORT_LOG_LEVEL || undefined;
  const level = toLevel(own ?? env.AWS_LAMBDA_LOG_LEVEL);
  if (own !== undefined && level === undefined) {
    throw new FaasportError(
      'CONFIG_INVALID',
      `${operation}: FAASPORT_LOG_LEVEL must be one of debug, info, warn, error (or trace, fatal), got "${own.slice(0, 40)}"`,
    );
  }
  return level;
}

function toLevel(value: string | undefined): LogLevel | undefined {
  const level = value?.trim().toLowerCase();
  if (level === 'debug' || level === 'info' || level === 'warn' || level === 'error') return level;
  if (level === 'trace') return 'debug';
  if (level === 'fatal') return 'error';
  return undefined;
}

/** A structured logger bound to one invocation. Fields are merged into the JSON line. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines also carry `fields`. */
  child(fields: Record<string, unknown>): Logger;
}

/** One structured log record as written. */
export interface LogRecord {
  level: LogLevel;
  msg: string;
  time: string;
  functionName?: string;
  invocationId?: string;
  traceId?: string;
  [field: string]: unknown;
}

/** Where records go. The default writes one JSON line per record to stdout. */
export type LogSink = (record: LogRecord) => void;

export const stdoutSink: LogSink = (record) => {
  process.stdout.write(safeStringify(record) + '\n');
};

const RESERVED = new Set(['level', 'msg', 'time', 'functionName', 'invocationId', 'traceId']);

export function safeStringify(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Error) return summariseError(v);
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[Circular]';
      seen.add(v);
    }
    return v;
  });
}

export interface LoggerOptions {
  sink: LogSink;
  level: LogLevel;
  base: Record<string, unknown>;
  /**
   * Field paths whose values are written as `[redacted]`, as pino's `redact` reads them:
   * `password`, `card.number`, `headers["x-api-key"]`, `users[*].email`, `*.token`. A path
   * names one place; `*` stands for any key (or index) at its level.
   */
  redact: readonly string[];
}

/**
 * Creates a JSON logger. Base fields (function name, invocation and trace ids) cannot be
 * overwritten by call fields: a log line always says which invocation wrote it. Every line is
 * redacted before it reaches the sink: the `redact` paths, the secret values of the
 * environment (see `redactSecrets`) in the message and any string field, and Error values
 * written as their summary (name, message, code).
 *
 * @example
 * ```ts
 * import { createLogger } from 'faasport';
 * const log = createLogger({ level: 'info', base: { functionName: 'hello' }, redact: ['password', 'card.number'] });
 * log.info('started', { items: 3, card: { number: '4242 4242 4242 4242', brand: 'visa' } }); // card.number: "[redacted]"
 * ```
 */
export function createLogger(options: Partial<LoggerOptions> = {}): Logger {
  const sink = options.sink ?? stdoutSink;
  const min = LOG_LEVELS[options.level ?? 'info'];
  const paths = options.redact && options.redact.length > 0 ? compileRedactPaths(options.redact, 'createLogger') : undefined;
  const redact = (fields: Record<string, unknown>): Record<string, unknown> =>
    redactValue(paths ? redactPaths(fields, paths) : fields, processScrubber(), new Map()) as Record<string, unknown>;
  const base = options.base ? redact(options.base) : {};
  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (LOG_LEVELS[level] < min) return;
    const record: LogRecord = { level, msg: redactSecrets(String(msg)), time: new Date().toISOString() };
    if (fields) {
      const safe = redact(fields);
      for (const key of Object.keys(safe)) if (!RESERVED.has(key)) record[key] = safe[key];
    }
    for (const key of Object.keys(base)) if (base[key] !== undefined) record[key] = base[key];
    sink(record);
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    child: (fields) =>
      createLogger({ sink, level: options.level ?? 'info', base: { ...fields, ...base }, ...(options.redact ? { redact: options.redact } : {}) }),
  };
}

const IN_PROGRESS = Symbol('in progress');

/**
 * `value` with secret strings redacted and Errors summarised, copying only what changes.
 * `done` maps each object seen to its result, so a shared object is redacted once and a
 * cycle ends in "[Circular]" rather than a stack overflow.
 */
function redactValue(value: unknown, scrubber: SecretScrubber | undefined, done: Map<object, unknown>): unknown {
  if (typeof value === 'string') return scrubber ? scrubber.scrub(value) : value;
  if (typeof value !== 'object' || value === null) return value;
  const seen = done.get(value);
  if (seen !== undefined) return seen === IN_PROGRESS ? '[Circular]' : seen;
  if (value instanceof Error) {
    const summary = summariseError(value);
    done.set(value, summary);
    return summary;
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function' && !(value instanceof Date)) {
    done.set(value, IN_PROGRESS);
    const result = redactValue(toJSON.call(value), scrubber, done);
    done.set(value, result);
    return result;
  }
  // Bytes and collections serialise as numbers or {}: no text to redact, and a Buffer's
  // indices are not worth walking.
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Map || value instanceof Set) return value;
  done.set(value, IN_PROGRESS);
  let copy: Record<string, unknown> | unknown[] | undefined;
  for (const key of Object.keys(value)) {
    const before = (value as Record<string, unknown>)[key];
    const after = redactValue(before, scrubber, done);
    if (after === before) continue;
    copy ??= Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
    (copy as Record<string, unknown>)[key] = after;
  }
  const result = copy ?? value;
  done.set(value, result);
  return result;
}
