import { FaasportError } from './errors.js';
import { REDACTED } from './redact-secrets.js';

/** One compiled path: keys, with `*` for any key or index at that level. */
type Path = readonly string[];

const compiled = new WeakMap<readonly string[], readonly Path[]>();

/**
 * Parses pino-style redaction paths once: `password`, `card.number`, `headers["x-api-key"]`,
 * `users[*].email`, `*.token`. A path that cannot be parsed is CONFIG_INVALID naming it.
 * Compiled paths are cached per array, so a logger made per invocation does not parse again.
 */
export function compileRedactPaths(paths: readonly string[], operation: string): readonly Path[] {
  const cached = compiled.get(paths);
  if (cached) return cached;
  if (!Array.isArray(paths)) throw invalid(operation, `redact must be an array of field paths such as ["password", "card.number"], got ${typeof paths}`);
  const result = paths.map((p) => parsePath(p, operation));
  compiled.set(paths, result);
  return result;
}

const NAME = String.raw`([A-Za-z_$][\w$-]*|\*)`;
const BRACKET = String.raw`\[(?:(\*)|(\d+)|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\]`;
/** The first key is bare (`card`), later ones follow a dot (`.number`); any may be bracketed. */
const FIRST = new RegExp(`^(?:${NAME}|${BRACKET})`);
const NEXT = new RegExp(`^(?:\\.${NAME}|${BRACKET})`);

function parsePath(path: unknown, operation: string): Path {
  if (typeof path !== 'string' || path === '') throw invalid(operation, `redact paths must be non-empty strings, got ${JSON.stringify(path)}`);
  const keys: string[] = [];
  let rest = path;
  while (rest !== '') {
    const m = (keys.length === 0 ? FIRST : NEXT).exec(rest);
    if (!m) {
      throw invalid(
        operation,
        `redact path "${path}" cannot be read at "${rest}"; write keys with dots (card.number), brackets for other names (headers["x-api-key"]) and * for any key`,
      );
    }
    keys.push(m[1] ?? m[2] ?? m[3] ?? (m[4] ?? m[5]!).replace(/\\(.)/g, '$1'));
    rest = rest.slice(m[0].length);
  }
  return keys;
}

function invalid(operation: string, message: string): FaasportError {
  return new FaasportError('CONFIG_INVALID', `${operation}: ${message}`);
}

/**
 * `fields` with the value at each path replaced by `[redacted]`. Copies only the objects on a
 * redacted path; a path that is not there changes nothing (no key is added).
 */
export function redactPaths(fields: Record<string, unknown>, paths: readonly Path[]): Record<string, unknown> {
  let out = fields;
  for (const path of paths) out = redactAt(out, path, 0) as Record<string, unknown>;
  return out;
}

function redactAt(value: unknown, path: Path, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const key = path[depth]!;
  const last = depth === path.length - 1;
  const keys = key === '*' ? Object.keys(value) : Object.prototype.hasOwnProperty.call(value, key) ? [key] : [];
  let copy: Record<string, unknown> | unknown[] | undefined;
  for (const k of keys) {
    const before = (value as Record<string, unknown>)[k];
    const after = last ? REDACTED : redactAt(before, path, depth + 1);
    if (after === before) continue;
    copy ??= Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
    (copy as Record<string, unknown>)[k] = after;
  }
  return copy ?? value;
}
