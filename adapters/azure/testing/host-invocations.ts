/**
 * Test support: builds InvocationRequests shaped like the ones the Functions host sends for
 * each trigger (compare conformance/fixtures/azure/*.transcribed.json), and reads the HTTP
 * answer back into a Fetch Response the way the host writes it to the client.
 */
import type { HostInvocation, RegisteredFunction, RpcHttpCookie, RpcHttpData, RpcTypedData } from './functions-core-host.js';

const json = (value: unknown): RpcTypedData => ({ json: JSON.stringify(value) });

/** The host's timestamp form for queue metadata: `2022-08-25T05:06:39+00:00`. */
function hostTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export interface QueueDelivery {
  readonly text: string;
  readonly id: string;
  readonly dequeueCount: number;
  readonly insertionTime: Date;
  readonly expirationTime?: Date;
  readonly nextVisibleTime?: Date;
  readonly popReceipt?: string;
}

/** A storage queue trigger invocation: the (already base64-decoded) text plus its metadata. */
export function storageQueueInvocation(fn: RegisteredFunction, delivery: QueueDelivery): HostInvocation {
  const metadata: Record<string, RpcTypedData> = {
    QueueTrigger: { string: delivery.text },
    DequeueCount: json(delivery.dequeueCount),
    ExpirationTime: json(hostTime(delivery.expirationTime ?? new Date(delivery.insertionTime.getTime() + 7 * 86_400_000))),
    Id: { string: delivery.id },
    InsertionTime: json(hostTime(delivery.insertionTime)),
    NextVisibleTime: json(hostTime(delivery.nextVisibleTime ?? new Date())),
    PopReceipt: { string: delivery.popReceipt ?? 'AgAAAAMAAAAAAAAA' },
  };
  // The host also spreads the top-level properties of a JSON object body into the metadata.
  try {
    const parsed = JSON.parse(delivery.text) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      for (const [key, value] of Object.entries(parsed)) {
        if (!(key in metadata)) metadata[key] = typeof value === 'string' ? { string: value } : json(value);
      }
    }
  } catch {
    /* plain text body: nothing to spread */
  }
  return { inputData: [{ name: fn.trigger.name, data: { string: delivery.text } }], triggerMetadata: metadata };
}

/** A timer invocation: the binding value in the host's PascalCase form plus the `TimerTrigger` string. */
export function timerInvocation(fn: RegisteredFunction, tick: { scheduledTime: Date; isPastDue: boolean; last?: Date }): HostInvocation {
  const value = {
    Schedule: { AdjustForDST: true },
    ScheduleStatus: {
      Last: (tick.last ?? new Date(tick.scheduledTime.getTime() - 60_000)).toISOString(),
      Next: tick.scheduledTime.toISOString(),
      LastUpdated: new Date().toISOString(),
    },
    IsPastDue: tick.isPastDue,
  };
  return {
    inputData: [{ name: fn.trigger.name, data: json(value) }],
    triggerMetadata: { TimerTrigger: { string: new Date().toLocaleString('en-US', { timeZone: 'UTC' }) } },
  };
}

/** An Event Grid trigger invocation with one event (Event Grid or CloudEvents schema). */
export function eventGridInvocation(fn: RegisteredFunction, event: unknown, traceparent?: string): HostInvocation {
  return {
    inputData: [{ name: fn.trigger.name, data: json(event) }],
    triggerMetadata: {},
    ...(traceparent ? { traceContext: { traceParent: traceparent, traceState: '', attributes: {} } } : {}),
  };
}

/** An HTTP trigger invocation: RpcHttp with raw body bytes, and Headers/Query repeated as JSON metadata. */
export async function httpInvocation(fn: RegisteredFunction, request: Request, params: Record<string, string>, traceparent?: string): Promise<HostInvocation> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, name) => {
    if (!(name in query)) query[name] = value;
  });
  const bytes = new Uint8Array(await request.arrayBuffer());
  const http: RpcHttpData = { method: request.method, url: request.url, headers, query, params };
  if (bytes.length > 0) http.body = { bytes };
  const metadata: Record<string, RpcTypedData> = { Headers: json(headers), Query: json(query) };
  for (const [key, value] of Object.entries(params)) metadata[key] = { string: value };
  return {
    inputData: [{ name: fn.trigger.name, data: { http } }],
    triggerMetadata: metadata,
    ...(traceparent ? { traceContext: { traceParent: traceparent, traceState: '', attributes: {} } } : {}),
  };
}

/** The client's view of the function's RpcHttp answer. */
export function toFetchResponse(value: RpcTypedData | null | undefined): Response {
  const http = value?.http;
  if (!http) return new Response(null, { status: 204 });
  const headers = new Headers(http.headers ?? {});
  for (const cookie of http.cookies ?? []) headers.append('set-cookie', serialiseCookie(cookie));
  const status = Number(http.statusCode ?? '200');
  const body = http.body?.bytes ?? http.body?.string ?? (http.body?.json !== undefined ? http.body.json : undefined);
  return new Response([101, 204, 205, 304].includes(status) ? null : ((body as BodyInit | undefined) ?? null), { status, headers });
}

/**
 * The host appends each cookie through ASP.NET Core (`Response.Cookies.Append`), whose
 * SetCookieHeaderValue writes lower-case attributes in a fixed order: expires, max-age,
 * domain, path, secure, samesite, httponly; the value is URI-escaped.
 */
function serialiseCookie(c: RpcHttpCookie): string {
  const parts = [`${c.name ?? ''}=${encodeURIComponent(c.value ?? '')}`];
  if (c.expires?.value?.seconds !== undefined) parts.push(`expires=${new Date(c.expires.value.seconds * 1000).toUTCString()}`);
  if (c.maxAge?.value !== undefined) parts.push(`max-age=${c.maxAge.value}`);
  if (c.domain?.value) parts.push(`domain=${c.domain.value}`);
  if (c.path?.value) parts.push(`path=${c.path.value}`);
  if (c.secure?.value) parts.push('secure');
  if (c.sameSite === 'lax') parts.push('samesite=lax');
  else if (c.sameSite === 'strict') parts.push('samesite=strict');
  else if (c.sameSite === 'explicitNone') parts.push('samesite=none');
  if (c.httpOnly?.value) parts.push('httponly');
  return parts.join('; ');
}
