import { redactSecrets } from './redact-secrets.js';

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
  | 'METHOD_NOT_SUPPORTED'
  | 'INTERNAL'
  | 'NOT_FOUND'
  | 'ADAPTER_INVALID'
  | 'DEPLOY_FAILED'
  /** A durable store file (`faasport dev --persist`) is damaged, emptied or missing its log: refused, never opened as empty. */
  | 'STORE_DAMAGED'
  /** A durable store cannot grow (full disk, or its size cap): the write is refused, nothing stored is lost. */
  | 'STORE_FULL'
  /** A durable store write failed for another reason (I/O error, permissions). */
  | 'STORE_UNAVAILABLE'
  /** A dev server refused a request its guard does not let through (foreign Host or Origin, form content type, no token). */
  | 'FORBIDDEN'
  /** A server is at a resource cap (in-flight request bodies); retry later. */
  | 'SERVER_BUSY'
  /** A package an operation needs is not installed; the message names the npm install line. */
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
  return new FaasportError('PAYLOAD_TOO_LARGE', `${operation}: payload is ${formatBytes(bytes)}, ${target} accepts ${formatBytes(limit)}; ${fix}`, {
    status: 413,
    details: { bytes, limit, target },
  });
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

/** Longest preview of a thrown non-Error value kept in its summary. */
export const NON_ERROR_PREVIEW_CHARS = 120;

/**
 * An error as faasport writes it (log lines, error answers, dead-letter `lastError`): name,
 * message and code, no stack, no cause chain. Secret values of the environment in the message
 * are `[redacted]` (see `redactSecrets`), and so is the input V8 quotes into a JSON
 * SyntaxError. A thrown non-Error is summarised, never dumped: its type and a preview of at
 * most {@link NON_ERROR_PREVIEW_CHARS} characters.
 *
 * @example
 * ```ts
 * import { summariseError } from 'faasport';
 * summariseError({ status: 503 }); // { name: 'NonError', message: 'a non-Error object was thrown: {"status":503}' }
 * ```
 */
export function summariseError(err: unknown): ErrorSummary {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const name = redactSecrets(String(err.name));
    const message = redactSecrets(safeErrorMessage(err));
    return typeof code === 'string' ? { name, message, code: redactSecrets(code) } : { name, message };
  }
  return { name: 'NonError', message: describeNonError(err) };
}

function describeNonError(value: unknown): string {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  if (type === 'function' || type === 'symbol') return `a ${type} was thrown instead of an Error`;
  if (value === undefined || value === null) return `${type} was thrown instead of an Error`;
  const text = typeof value === 'string' ? value : safeString(value);
  // Cut before redacting, wide enough that a secret on the cut is still whole and found.
  const cut = text.length > NON_ERROR_PREVIEW_CHARS * 4 ? text.slice(0, NON_ERROR_PREVIEW_CHARS * 4) : text;
  const redacted = redactSecrets(cut);
  const preview = redacted.length > NON_ERROR_PREVIEW_CHARS ? `${redacted.slice(0, NON_ERROR_PREVIEW_CHARS)}…` : redacted;
  return `${type === 'object' || type === 'array' ? `a non-Error ${type}` : `a ${type}`} was thrown: ${preview}`;
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * An error to hand to a platform that logs what it is given (the Lambda runtime, the
 * Functions host, the Functions Framework): the same error when it carries no secret, else a
 * copy of the same name whose message and stack are redacted (and no cause); a non-Error
 * becomes an Error with its summary.
 *
 * @example
 * ```ts
 * import { redactedError } from 'faasport';
 * const outcome = { ok: false as const, error: new Error('upstream refused') };
 * if (!outcome.ok) throw redactedError(outcome.error);
 * ```
 */
export function redactedError(err: unknown): Error {
  if (!(err instanceof Error)) {
    const summary = summariseError(err);
    const copy = new Error(summary.message);
    copy.name = summary.name;
    return copy;
  }
  const message = redactSecrets(err.message);
  const stack = err.stack === undefined ? undefined : redactSecrets(err.stack);
  // A cause is dropped too: platforms print cause chains, and faasport's own line has the summary.
  if (message === err.message && stack === err.stack && err.cause === undefined) return err;
  const copy = new Error(message);
  copy.name = err.name;
  copy.stack = stack;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') (copy as Error & { code?: string }).code = code;
  return copy;
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
  return [`${err.name}: ${safeErrorMessage(err)}`, ...frames].map(redactSecrets);
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
export function invalidEventField(
  operation: string,
  path: string,
  expected: string,
  value: unknown,
  options: { whole?: string; hint?: string } = {},
): FaasportError {
  const subject = path === '' ? (options.whole ?? 'the event') : path;
  return new FaasportError('EVENT_INVALID', `${operation}: ${subject} must be ${expected}, got ${typeName(value)}${options.hint ? `; ${options.hint}` : ''}`, {
    status: 400,
    details: { path },
  });
}
