/**
 * Stable error codes. Codes are API: once published they do not change meaning.
 * Messages are for people and may be reworded.
 */
export type FaasportErrorCode =
  | 'DEFINITION_INVALID'
  | 'DUPLICATE_NAME'
  | 'UNKNOWN_OPTION'
  | 'INVALID_ROUTE'
  | 'INVALID_CRON'
  | 'CAPABILITY_UNSUPPORTED'
  | 'CONFIG_INVALID'
  | 'PAYLOAD_TOO_LARGE'
  | 'EVENT_UNRECOGNISED'
  | 'EVENT_INVALID'
  | 'MESSAGE_INVALID'
  | 'NO_RUNTIME'
  | 'TIMEOUT'
  | 'HANDLER_RESULT_INVALID'
  | 'SEND_FAILED'
  | 'SEND_UNDECLARED'
  | 'METHOD_NOT_ALLOWED'
  | 'INTERNAL'
  | 'NOT_FOUND'
  | 'ADAPTER_INVALID'
  | 'DEPLOY_FAILED'
  | 'PACKAGE_MISSING';

const BRAND = Symbol.for('faasport.error');

export interface FaasportErrorOptions {
  cause?: unknown;
  /** HTTP status a runtime should answer with when this error escapes an HTTP handler. */
  status?: number;
  /** Machine-readable facts about the failure (limits, names, paths). Never secrets. */
  details?: Record<string, unknown>;
}

/**
 * The one error type faasport throws. Check with {@link isFaasportError} rather than
 * `instanceof`: an app and the CLI may load two copies of the package.
 *
 * @example
 * ```ts
 * import { FaasportError, isFaasportError } from 'faasport';
 * try {
 *   throw new FaasportError('PAYLOAD_TOO_LARGE', 'queue "orders": message is 300 KB, the limit is 256 KB');
 * } catch (err) {
 *   if (isFaasportError(err)) console.log(err.code);
 * }
 * ```
 */
export class FaasportError extends Error {
  readonly code: FaasportErrorCode;
  readonly status: number | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly [BRAND] = true;

  constructor(code: FaasportErrorCode, message: string, options: FaasportErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FaasportError';
    this.code = code;
    this.status = options.status;
    this.details = options.details;
  }
}

/**
 * True for any faasport error, from any copy of the package.
 *
 * @example
 * ```ts
 * import { isFaasportError } from 'faasport';
 * isFaasportError(new Error('x')); // false
 * ```
 */
export function isFaasportError(value: unknown): value is FaasportError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** A message or body exceeds the limit of the place it is going to. */
export function payloadTooLarge(operation: string, bytes: number, limit: number, target: string, fix: string): FaasportError {
  return new FaasportError(
    'PAYLOAD_TOO_LARGE',
    `${operation}: payload is ${formatBytes(bytes)}, ${target} accepts ${formatBytes(limit)}; ${fix}`,
    { status: 413, details: { bytes, limit, target } },
  );
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${+(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The safe, serialisable summary of an error: no stack, no cause chain. */
export interface ErrorSummary {
  name: string;
  message: string;
  code?: string;
}

export function summariseError(err: unknown): ErrorSummary {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const message = safeErrorMessage(err);
    return typeof code === 'string' ? { name: err.name, message, code } : { name: err.name, message };
  }
  return { name: 'NonError', message: typeof err === 'string' ? err : safeString(err) };
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * An error's message, without the input V8 quotes into a SyntaxError (`Unexpected token 'B',
 * "Bearer sk-…" is not valid JSON`): request bodies are user data and may be secrets, and
 * error messages end up in logs and dead-letter envelopes.
 */
export function safeErrorMessage(err: Error): string {
  if (!(err instanceof SyntaxError)) return err.message;
  return err.message.replace(/"(?:[^"\\]|\\.)*"(?:\.\.\.)?/g, '"…"').replace(/'(?:[^'\\]|\\.)*'/g, "'…'");
}

/** A stack whose first line carries the safe message: for development error bodies. */
export function safeStack(err: Error): string[] | undefined {
  if (!err.stack) return undefined;
  const frames = err.stack.split('\n').filter((line) => /^\s+at /.test(line));
  return [`${err.name}: ${safeErrorMessage(err)}`, ...frames];
}

/** The JSON type of a value, as error messages name it (never the value: it may be a secret). */
export function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/**
 * EVENT_INVALID (400) for a field of the wrong type in something a platform handed over:
 * names the operation, the dotted `path` (`details.path`; '' for the whole thing, called
 * `whole` in the message) and the type seen, then the `hint`.
 *
 * @example
 * ```ts
 * throw invalidEventField('aws SQS record', 'body', 'a string', 42, { hint: 'check the test event' });
 * // aws SQS record: body must be a string, got number; check the test event
 * ```
 */
export function invalidEventField(operation: string, path: string, expected: string, value: unknown, options: { whole?: string; hint?: string } = {}): FaasportError {
  const subject = path === '' ? (options.whole ?? 'the event') : path;
  return new FaasportError('EVENT_INVALID', `${operation}: ${subject} must be ${expected}, got ${typeName(value)}${options.hint ? `; ${options.hint}` : ''}`, {
    status: 400,
    details: { path },
  });
}
