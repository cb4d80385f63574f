import { FaasportError } from './errors.js';
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
    throw new FaasportError('CONFIG_INVALID', `${operation}: FAASPORT_LOG_LEVEL must be one of debug, info, warn, error (or trace, fatal), got "${own.slice(0, 40)}"`);
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
    if (v instanceof Error) return { name: v.name, message: v.message, code: (v as { code?: unknown }).code };
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
}

/**
 * Creates a JSON logger. Base fields (function name, invocation and trace ids) cannot be
 * overwritten by call fields: a log line always says which invocation wrote it.
 *
 * @example
 * ```ts
 * import { createLogger } from 'faasport';
 * const log = createLogger({ level: 'info', base: { functionName: 'hello' } });
 * log.info('started', { items: 3 });
 * ```
 */
export function createLogger(options: Partial<LoggerOptions> = {}): Logger {
  const sink = options.sink ?? stdoutSink;
  const min = LOG_LEVELS[options.level ?? 'info'];
  const base = options.base ?? {};
  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (LOG_LEVELS[level] < min) return;
    const record: LogRecord = { level, msg: String(msg), time: new Date().toISOString() };
    if (fields) {
      for (const key of Object.keys(fields)) if (!RESERVED.has(key)) record[key] = fields[key];
    }
    for (const key of Object.keys(base)) if (base[key] !== undefined) record[key] = base[key];
    sink(record);
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    child: (fields) => createLogger({ sink, level: options.level ?? 'info', base: { ...fields, ...base } }),
  };
}
