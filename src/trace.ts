/** W3C trace context (https://www.w3.org/TR/trace-context/) for one invocation. */
export interface TraceContext {
  /** 32 lowercase hex characters. */
  readonly traceId: string;
  /** 16 lowercase hex characters: this invocation's span. */
  readonly spanId: string;
  /** Bit field; 1 = sampled. */
  readonly traceFlags: number;
  /** The span this invocation was called from, when known. */
  readonly parentSpanId?: string;
  readonly tracestate?: string;
  /** `00-<traceId>-<spanId>-<flags>`: pass this on to whatever the invocation calls. */
  readonly traceparent: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;
const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';

export interface ParsedTraceparent {
  traceId: string;
  parentSpanId: string;
  traceFlags: number;
}

/** Parses a `traceparent` header; undefined when absent or invalid (never throws). */
export function parseTraceparent(header: string | null | undefined): ParsedTraceparent | undefined {
  if (!header) return undefined;
  const m = TRACEPARENT.exec(header.trim().toLowerCase());
  if (!m || m[1] === 'ff' || m[2] === ZERO_TRACE || m[3] === ZERO_SPAN) return undefined;
  if (m[1] === '00' && header.trim().length !== 55) return undefined;
  return { traceId: m[2]!, parentSpanId: m[3]!, traceFlags: parseInt(m[4]!, 16) };
}

/**
 * Maps an AWS X-Ray header (`Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`)
 * to W3C fields. The X-Ray root is the epoch seconds (8 hex) followed by 24 hex: together 32 hex.
 */
export function parseXRayHeader(header: string | null | undefined): ParsedTraceparent | undefined {
  if (!header) return undefined;
  let root: string | undefined;
  let parent: string | undefined;
  let sampled = 0;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 'Root') root = value;
    else if (key === 'Parent') parent = value;
    else if (key === 'Sampled') sampled = value === '1' ? 1 : 0;
  }
  const m = root ? /^1-([0-9a-f]{8})-([0-9a-f]{24})$/i.exec(root) : null;
  if (!m) return undefined;
  const traceId = (m[1]! + m[2]!).toLowerCase();
  const parentSpanId = parent && /^[0-9a-f]{16}$/i.test(parent) ? parent.toLowerCase() : randomHex(8);
  return { traceId, parentSpanId, traceFlags: sampled };
}

/** Maps Google's `X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=1` (span id in decimal). */
export function parseCloudTraceContext(header: string | null | undefined): ParsedTraceparent | undefined {
  if (!header) return undefined;
  const m = /^([0-9a-f]{32})(?:\/(\d+))?(?:;o=([01]))?/i.exec(header.trim());
  if (!m || m[1] === ZERO_TRACE) return undefined;
  let parentSpanId = randomHex(8);
  if (m[2]) {
    try {
      const hex = BigInt(m[2]).toString(16);
      if (hex.length <= 16 && hex !== '0') parentSpanId = hex.padStart(16, '0');
    } catch {
      /* keep the random span */
    }
  }
  return { traceId: m[1]!.toLowerCase(), parentSpanId, traceFlags: m[3] === '1' ? 1 : 0 };
}

/** Random bytes are drawn from the CSPRNG a pool at a time: one call per 256 trace ids, not one per id. */
const POOL_BYTES = 4096;
let pool: Buffer | undefined;
let poolAt = POOL_BYTES;
let randomFill: (<T extends NodeJS.ArrayBufferView>(buffer: T) => T) | undefined;

/** `bytes` random bytes (at most POOL_BYTES) as lowercase hex. */
export function randomHex(bytes: number): string {
  if (poolAt + bytes > POOL_BYTES) {
    // node:crypto is loaded on the first id, not at import: loading it costs cold start.
    randomFill ??= process.getBuiltinModule('node:crypto').randomFillSync;
    pool = randomFill(pool ?? Buffer.allocUnsafe(POOL_BYTES));
    poolAt = 0;
  }
  const hex = pool!.toString('hex', poolAt, poolAt + bytes);
  poolAt += bytes;
  return hex;
}

/** A new span in the given trace, or a new trace when there is none. */
export function createTraceContext(parent?: ParsedTraceparent, tracestate?: string): TraceContext {
  const traceId = parent?.traceId ?? randomHex(16);
  const spanId = randomHex(8);
  const traceFlags = parent?.traceFlags ?? 1;
  const traceparent = `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`;
  const ctx: { -readonly [K in keyof TraceContext]: TraceContext[K] } = { traceId, spanId, traceFlags, traceparent };
  if (parent) ctx.parentSpanId = parent.parentSpanId;
  if (tracestate) ctx.tracestate = tracestate;
  return ctx;
}
