import { FaasportError } from './errors.js';

/** Rejects keys a definition does not know, naming the closest known one. */
export function checkKnownOptions(what: string, options: object, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalid(what, `options must be an object (or left out), got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const near = closest(key, known);
      throw new FaasportError(
        'UNKNOWN_OPTION',
        `${what}: unknown option "${key}"${near ? ` (did you mean "${near}"?)` : ''}; known options: ${known.join(', ')}`,
        { details: { option: key } },
      );
    }
  }
}

/** The known name closest to `key` (a typo, another case, a prefix), or undefined. */
export function closest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  return (
    known.find((k) => k.toLowerCase() === lower || levenshtein(k, key) <= 2) ??
    known.find((k) => lower.length >= 3 && (k.toLowerCase().startsWith(lower) || lower.startsWith(k.toLowerCase())))
  );
}

export function invalid(what: string, message: string): FaasportError {
  return new FaasportError('DEFINITION_INVALID', `${what}: ${message}`);
}

export function checkInteger(what: string, name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(what, `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkBoolean(what: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalid(what, `${name} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

export function checkName(kind: string, name: unknown): string {
  if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9-]{0,62}$/.test(name)) {
    throw new FaasportError(
      'DEFINITION_INVALID',
      `${kind} name ${JSON.stringify(name)} is invalid: use 1-63 letters, digits and "-", starting with a letter (every cloud accepts that)`,
    );
  }
  return name;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `"30s"`, `"5m"`, `"1h"`, `"1d"` or a number of ms. */
export function parseDuration(what: string, value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  if (typeof value === 'string') {
    const m = DURATION.exec(value.trim());
    if (m) return Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
  }
  throw invalid(what, `expected a duration such as "30s", "5m", "1h" or a positive number of ms, got ${JSON.stringify(value)}`);
}

function levenshtein(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}
