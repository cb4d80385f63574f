/**
 * Test support: the Functions host's HTTP front for functions registered through
 * @azure/functions: route-template matching (host.json `routePrefix`), method filter,
 * function-key checks for `authLevel: function`, then an invocation through the library.
 */
import { randomBytes } from 'node:crypto';
import type { FunctionsWorker, RegisteredFunction } from './functions-core-host.js';
import { httpInvocation, toFetchResponse } from './host-invocations.js';
import { safeDecode } from 'faasport/adapter-kit';

export interface HttpHostOptions {
  /** host.json `extensions.http.routePrefix` (faasport's build sets ""). */
  routePrefix?: string;
  /** The function key that `authLevel: function` routes require (`x-functions-key` or `?code=`). */
  functionKey?: string;
  /** The host's request size limit (`maxRequestLength`, 100 MB); larger bodies get a bare 413. */
  maxRequestBytes?: number;
}

export interface HttpHost {
  readonly functionKey: string;
  fetch(request: Request): Promise<Response>;
}

export function createHttpHost(worker: FunctionsWorker, options: HttpHostOptions = {}): HttpHost {
  const functionKey = options.functionKey ?? randomBytes(16).toString('base64url');
  const prefix = (options.routePrefix ?? '').replace(/^\/|\/$/g, '');
  const maxRequestBytes = options.maxRequestBytes ?? 100 * 1024 * 1024;
  const template = (fn: RegisteredFunction): string => [prefix, String(fn.trigger.route ?? fn.metadata.name)].filter(Boolean).join('/');
  // Route precedence as in ASP.NET Core routing: literal segments, then parameters, then catch-alls.
  const routes = (): RegisteredFunction[] =>
    [...worker.functions.values()].filter((fn) => fn.trigger.type === 'httpTrigger').sort((a, b) => comparePrecedence(template(a), template(b)));
  return {
    functionKey,
    async fetch(request) {
      const url = new URL(request.url);
      const path = decodeURIComponent(url.pathname).replace(/^\/|\/$/g, '');
      let methodMismatch = false;
      const length = Number(request.headers.get('content-length') ?? '0');
      if (length > maxRequestBytes) return new Response(null, { status: 413 });
      for (const fn of routes()) {
        const params = matchTemplate(template(fn), path, url.pathname);
        if (!params) continue;
        const methods = (fn.trigger.methods as string[] | undefined)?.map((m) => m.toUpperCase());
        if (methods && !methods.includes(request.method.toUpperCase())) {
          methodMismatch = true;
          continue;
        }
        if (fn.trigger.authLevel !== 'anonymous' && !hasKey(request, url, functionKey)) return new Response(null, { status: 401 });
        return invoke(worker, fn, request, params, maxRequestBytes);
      }
      return new Response(null, { status: methodMismatch ? 405 : 404 });
    },
  };
}

async function invoke(
  worker: FunctionsWorker,
  fn: RegisteredFunction,
  request: Request,
  params: Record<string, string>,
  maxRequestBytes: number,
): Promise<Response> {
  const body = await request.arrayBuffer();
  if (body.byteLength > maxRequestBytes) return new Response(null, { status: 413 });
  request = new Request(request, { body: ['GET', 'HEAD'].includes(request.method) ? null : body });
  // The host starts an activity for the invocation: same trace as the caller, its own span.
  const incoming = /^00-([0-9a-f]{32})-[0-9a-f]{16}-([0-9a-f]{2})$/.exec(request.headers.get('traceparent') ?? '');
  const traceparent = incoming
    ? `00-${incoming[1]}-${randomBytes(8).toString('hex')}-${incoming[2]}`
    : `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
  const result = await worker.invoke(fn.metadata.name, await httpInvocation(fn, request, params, traceparent));
  // A failed invocation is a bare 500 from the host.
  return result.ok ? toFetchResponse(result.returnValue) : new Response(null, { status: 500 });
}

function hasKey(request: Request, url: URL, key: string): boolean {
  return request.headers.get('x-functions-key') === key || url.searchParams.get('code') === key;
}

/** ASP.NET-style template match: literal segments (case-insensitive), `{name}`, final `{*name}`. */
function matchTemplate(template: string, path: string, rawPath: string): Record<string, string> | undefined {
  const t = template.split('/').filter(Boolean);
  const p = path === '' ? [] : path.split('/');
  const raw = rawPath.replace(/^\/|\/$/g, '').split('/');
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i]!;
    const catchAll = /^\{\*([^}]+)\}$/.exec(seg);
    if (catchAll) {
      params[catchAll[1]!] = p.slice(i).join('/');
      return params;
    }
    if (i >= p.length) return undefined;
    const param = /^\{([^}]+)\}$/.exec(seg);
    if (param) params[param[1]!] = safeDecode(raw[i] ?? p[i]!);
    else if (seg.toLowerCase() !== p[i]!.toLowerCase()) return undefined;
  }
  return t.length === p.length ? params : undefined;
}

function comparePrecedence(a: string, b: string): number {
  const rank = (seg: string): number => (seg.startsWith('{*') ? 2 : seg.startsWith('{') ? 1 : 0);
  const x = a.split('/').filter(Boolean).map(rank);
  const y = b.split('/').filter(Boolean).map(rank);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}
