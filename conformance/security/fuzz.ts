import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { isFaasportError } from '../../src/index.js';

/** Runs per decoder: 10 000 in `npm test`, more with FAASPORT_FUZZ_RUNS. */
export const FUZZ_RUNS = Number(process.env.FAASPORT_FUZZ_RUNS ?? 10_000);

/** A vendor fixture from the repository's copy (conformance/fixtures, see its PROVENANCE.md). */
export function vendorFixture(path: string): unknown {
  const text = readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
  return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
}

type Path = readonly (string | number)[];

/** Every place in a JSON value that can be mutated. */
function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const k of Object.keys(value)) pathsOf((value as Record<string, unknown>)[k], [...prefix, k], out);
  return out;
}

/** 64 KiB + 1: over the common 64 KB field and message limits. */
const HUGE = 'A'.repeat(64 * 1024 + 1);

/** Values decoders meet in the wild or from an attacker: wrong types, huge, broken encodings. */
const strangeValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 16, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2, '', ' ', '0', 'null', 'true', '[]', '{}') },
  // Huge strings: rare, because pushing them through Headers and URL parsing is slow (and
  // a decoder that iterates a string where it expects an array makes one header per character).
  { weight: 1, arbitrary: fc.constantFrom(`{"a":"${HUGE}"}`, HUGE, HUGE.slice(0, 8_193)) },
  // Broken encodings: invalid base64, lone surrogates, NUL, base64 of invalid UTF-8, percent-escapes.
  {
    weight: 16,
    arbitrary: fc.constantFrom(
      '@@@',
      'a',
      '====',
      'YQ',
      'Y Q==',
      '\uD800',
      'x\uDFFFy',
      '\u0000',
      '//79/w==',
      '%',
      '%E0%A4%A',
      '%ZZ',
      '\r\n\r\n',
      'http://[::1',
      '../../etc/passwd',
    ),
  },
  { weight: 8, arbitrary: fc.constantFrom([], [null], {}, { '': '' }, [[[[]]]]) },
  { weight: 12, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 12, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 8, arbitrary: fc.integer() },
);

/** An object whose own keys look like prototype pollution: as JSON.parse would make them. */
const pollutingValue: fc.Arbitrary<unknown> = fc.constantFrom(
  JSON.parse('{"__proto__":{"polluted":"yes"}}') as unknown,
  JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}') as unknown,
  JSON.parse('{"__proto__":{"toString":"x","polluted":"yes"},"prototype":{"polluted":"yes"}}') as unknown,
);

type Mutation =
  | { readonly op: 'delete'; readonly at: number }
  | { readonly op: 'replace'; readonly at: number; readonly value: unknown }
  | { readonly op: 'pollute'; readonly at: number; readonly value: unknown }
  | { readonly op: 'flip-base64' }
  | { readonly op: 'swap-type'; readonly at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat() }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: strangeValue }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('pollute' as const), at: fc.nat(), value: pollutingValue }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('flip-base64' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('swap-type' as const), at: fc.nat() }) },
);

function get(root: unknown, path: Path): unknown {
  let v = root;
  for (const k of path) v = (v as Record<string | number, unknown>)?.[k];
  return v;
}

function apply(root: unknown, m: Mutation): unknown {
  if (m.op === 'flip-base64') {
    for (const p of pathsOf(root)) {
      const parent = get(root, p.slice(0, -1)) as Record<string, unknown> | undefined;
      if (p.length > 0 && p[p.length - 1] === 'isBase64Encoded' && parent) parent.isBase64Encoded = parent.isBase64Encoded === true ? false : true;
    }
    return root;
  }
  const paths = pathsOf(root);
  const path = paths[m.at % paths.length]!;
  const replace = (value: unknown): unknown => {
    if (path.length === 0) return value;
    const parent = get(root, path.slice(0, -1)) as Record<string | number, unknown>;
    Object.defineProperty(parent, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
    return root;
  };
  const current = get(root, path);
  switch (m.op) {
    case 'delete': {
      if (path.length === 0) return undefined;
      const parent = get(root, path.slice(0, -1)) as Record<string | number, unknown>;
      if (Array.isArray(parent)) parent.splice(path[path.length - 1] as number, 1);
      else delete parent[path[path.length - 1]!];
      return root;
    }
    case 'replace':
      return replace(structuredCloneOwn(m.value));
    case 'pollute': {
      if (current !== null && typeof current === 'object' && !Array.isArray(current)) {
        for (const key of Object.keys(m.value as object)) {
          Object.defineProperty(current, key, {
            value: structuredCloneOwn((m.value as Record<string, unknown>)[key]),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return root;
      }
      return replace(structuredCloneOwn(m.value));
    }
    case 'swap-type':
      return replace(
        typeof current === 'string' && current !== '' && !Number.isNaN(Number(current))
          ? Number(current)
          : typeof current === 'number'
            ? String(current)
            : typeof current === 'boolean'
              ? String(current)
              : typeof current === 'string'
                ? [current]
                : current,
      );
  }
}

/** A deep copy that keeps own `__proto__` keys as data (JSON round trip does; structuredClone does not). */
function structuredCloneOwn<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * Events made from `fixtures` by 1-4 mutations each (missing fields, wrong types, huge
 * strings, broken base64 and UTF-8, `__proto__` / `constructor` keys, lying isBase64Encoded),
 * with a few wholly wrong events mixed in.
 */
export function mutatedEvent(fixtures: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    {
      weight: 20,
      arbitrary: fc
        .tuple(fc.constantFrom(...fixtures), fc.array(mutation, { minLength: 1, maxLength: 4 }))
        .map(([fixture, ms]) => ms.reduce<unknown>((event, m) => apply(event, m), structuredCloneOwn(fixture))),
    },
    { weight: 1, arbitrary: strangeValue },
  );
}

/** What a decode did with one input. */
export type DecodeOutcome =
  | { readonly kind: 'decoded' }
  | { readonly kind: 'refused'; readonly code: string; readonly path: string }
  | { readonly kind: 'untyped'; readonly error: string };

/**
 * Runs one decode and classifies it: a valid result, a FaasportError naming the bad field
 * (`details.path`, dotted; '' when the event itself is of the wrong type), or anything else thrown. A polluted Object.prototype always fails.
 */
export async function checkDecode(decode: () => unknown): Promise<DecodeOutcome> {
  let outcome: DecodeOutcome;
  try {
    await decode();
    outcome = { kind: 'decoded' };
  } catch (err) {
    const path = isFaasportError(err) ? err.details?.path : undefined;
    // '' is the event itself (not an object at all), as toCloudEvent reports it.
    if (isFaasportError(err) && typeof path === 'string') outcome = { kind: 'refused', code: err.code, path };
    else if (isFaasportError(err)) outcome = { kind: 'untyped', error: `FaasportError ${err.code} without details.path: ${err.message.slice(0, 200)}` };
    else outcome = { kind: 'untyped', error: `${(err as Error)?.name ?? typeof err}: ${String((err as Error)?.message ?? err).slice(0, 200)}` };
  } finally {
    assertPrototypesClean();
  }
  return outcome;
}

export function assertPrototypesClean(): void {
  const probe = {} as Record<string, unknown>;
  const polluted = probe.polluted !== undefined || typeof probe.toString !== 'function' || typeof probe.hasOwnProperty !== 'function';
  if (polluted) {
    delete (Object.prototype as Record<string, unknown>).polluted;
    throw new Error('Object.prototype was polluted');
  }
}

/** Touches everything a handler may read from a decoded Request, so lazy decoders do their work. */
export async function readRequest(request: Request): Promise<void> {
  void request.url;
  void request.method;
  request.headers.forEach(() => {});
  await request.arrayBuffer();
}

/** Reads a decoded value deeply (getters included), as a handler would. */
export function readDeep(value: unknown, depth = 0): void {
  if (depth > 50 || value === null || typeof value !== 'object') return;
  if (value instanceof Date) {
    value.getTime();
    return;
  }
  if (value instanceof Uint8Array) return;
  for (const key of Object.keys(value)) readDeep((value as Record<string, unknown>)[key], depth + 1);
}

/** A short, printable form of a fuzzed input (huge strings cut). */
export function describeInput(value: unknown): string {
  const text =
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' && v.length > 60 ? `${v.slice(0, 20)}…(${v.length} chars)` : v)) ?? String(value);
  return text.length > 700 ? `${text.slice(0, 700)}…` : text;
}

export interface FuzzFigures {
  readonly decoder: string;
  readonly runs: number;
  readonly decoded: number;
  readonly refused: number;
  /** Inputs that made the decoder throw something other than a FaasportError naming the field. */
  readonly untyped: number;
  /** Each distinct untyped error (quoted text and numbers folded), its count and the first input that caused it. */
  readonly untypedKinds?: readonly { readonly error: string; readonly count: number; readonly input: string }[];
}

export interface FuzzOptions {
  /**
   * The decoder is known to throw untyped errors on bad input (the reason says why): those
   * are counted, not failed, and the run fails instead if none occur. Pollution and
   * unhandled rejections still fail.
   */
  readonly knownUntyped?: string;
  readonly seed?: number;
}

/**
 * Property: over FUZZ_RUNS events, `decode` either succeeds or refuses with a typed error
 * naming the field; it never pollutes Object.prototype and leaves no unhandled rejection.
 */
export async function fuzzDecoder(
  name: string,
  events: fc.Arbitrary<unknown>,
  decode: (event: unknown) => unknown,
  options: FuzzOptions = {},
): Promise<FuzzFigures> {
  let decoded = 0;
  let refused = 0;
  let untyped = 0;
  const kinds = new Map<string, { error: string; count: number; input: string }>();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  let result: fc.RunDetails<[unknown]>;
  try {
    result = await fc.check(
      fc.asyncProperty(events, async (event) => {
        const outcome = await checkDecode(() => decode(event));
        if (outcome.kind === 'decoded') decoded++;
        else if (outcome.kind === 'refused') refused++;
        else if (options.knownUntyped) {
          untyped++;
          const key = outcome.error
            .replace(/"[^"]*"/g, '"…"')
            .replace(/\d+/g, 'N')
            .replace(/got \w+/, 'got …');
          const kind = kinds.get(key);
          if (kind) kind.count++;
          else kinds.set(key, { error: outcome.error, count: 1, input: describeInput(event) });
        } else throw new Error(outcome.error);
      }),
      { numRuns: FUZZ_RUNS, ...(options.seed !== undefined ? { seed: options.seed } : {}), endOnFailure: true },
    );
    await new Promise((r) => setTimeout(r, 10));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  if (result.failed) {
    const error = (result.errorInstance as Error | undefined)?.message ?? String(result.errorInstance);
    throw new Error(
      `${name} failed on ${describeInput(result.counterexample?.[0])}\n→ ${error}\n(seed ${result.seed}, path ${result.counterexamplePath}; replay with fuzzDecoder(..., { seed: ${result.seed} }))`,
    );
  }
  if (unhandled.length > 0)
    throw new Error(`${name}: ${unhandled.length} unhandled rejections, first: ${String((unhandled[0] as Error)?.message ?? unhandled[0])}`);
  const untypedKinds = [...kinds.values()].sort((a, b) => b.count - a.count);
  const figures: FuzzFigures = {
    decoder: name,
    runs: decoded + refused + untyped,
    decoded,
    refused,
    untyped,
    ...(untypedKinds.length > 0 ? { untypedKinds } : {}),
  };
  console.log(`[figures] fuzz ${JSON.stringify(figures)}`);
  if (options.knownUntyped && untyped === 0)
    throw new Error(`${name} no longer throws untyped errors: remove it from the known failures (${options.knownUntyped})`);
  return figures;
}

const FUZZ_HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * The parts of a mutated HTTP seed a platform's HTTP layer could really hand over: a known
 * method (else `POST`), and the header pairs an HTTP parser accepts (string values Fetch's
 * Headers takes). Mutations outside that cannot arrive, so they fall back or are dropped.
 */
export function platformHttpParts(event: unknown): { fields: Record<string, unknown>; method: string; headers: [string, string][] } {
  const fields = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const method = typeof fields.method === 'string' && FUZZ_HTTP_METHODS.includes(fields.method.toUpperCase()) ? fields.method.toUpperCase() : 'POST';
  const headers: [string, string][] = [];
  const given = fields.headers;
  if (typeof given === 'object' && given !== null) {
    for (const [k, v] of Object.entries(given)) {
      if (typeof v !== 'string') continue;
      try {
        new Headers([[k, v]]);
        headers.push([k, v]);
      } catch {
        /* a pair no HTTP parser would have passed on */
      }
    }
  }
  return { fields, method, headers };
}
