import type { CommonFunctionOptions } from './definitions.js';
import { checkInteger, invalid } from './options.js';

/** Options every function takes, whatever its trigger. */
export const COMMON_KEYS = ['timeoutMs', 'memoryMb', 'warm', 'sends'] as const;
/** How long one invocation may run when the definition does not say. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** The checked common options of a function, with their defaults. */
export function commonOptions(what: string, options: CommonFunctionOptions): { timeoutMs: number; memoryMb: number; warm: number; sends: readonly string[] } {
  return {
    timeoutMs: options.timeoutMs === undefined ? DEFAULT_TIMEOUT_MS : checkInteger(what, 'timeoutMs', options.timeoutMs, 1, 900_000),
    memoryMb: options.memoryMb === undefined ? 256 : checkInteger(what, 'memoryMb', options.memoryMb, 128, 10_240),
    warm: options.warm === undefined ? 0 : checkInteger(what, 'warm', options.warm, 0, 100),
    sends: options.sends === undefined ? [] : checkSendsOption(what, options.sends),
  };
}

export function checkHandler(what: string, handler: unknown): void {
  if (typeof handler !== 'function') throw invalid(what, `handler must be a function, got ${typeof handler}`);
}

/** `sends: [orders, 'shipped']` → the names; what they name is checked once the app is complete (attachTransport, build). */
function checkSendsOption(what: string, sends: unknown): readonly string[] {
  if (!Array.isArray(sends)) throw invalid(what, 'sends must be a list of queues or topics (the objects app.queue / app.topic return, or their names)');
  const names = sends.map((entry: unknown, i) => {
    const name = typeof entry === 'string' ? entry : typeof entry === 'object' && entry !== null ? (entry as { name?: unknown }).name : undefined;
    if (typeof name !== 'string' || name.length === 0) throw invalid(what, `sends[${i}] is not a queue, a topic or a name`);
    return name;
  });
  return Object.freeze([...new Set(names)]);
}
