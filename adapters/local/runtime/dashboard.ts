import { readFileSync, readdirSync } from 'node:fs';
import { safeDecode } from 'faasport/adapter-kit';
import type { InvocationFeed, InvocationRecord } from './invocation-feed.js';
import type { LocalRuntime, Mount } from './runtime.js';

/** Where the dashboard is served; the dev guard covers it as it covers the dev API. */
export const DASHBOARD_PATH = '/_faasport/';
const ASSETS = '/_faasport/ui/';

/**
 * True for the dashboard's static files (the page, its scripts and styles): they hold no data
 * and no secret, so a dev server that requires its token still serves them without one, and the
 * page then sends the token (from the URL's `#token=` fragment, which no request carries) on
 * every call it makes.
 */
export function isDashboardAsset(method: string, pathname: string): boolean {
  return (method === 'GET' || method === 'HEAD') && (pathname === DASHBOARD_PATH || /^\/_faasport\/ui\/[a-z0-9-]+\.[a-z]+$/.test(pathname));
}

/** Dashboard streams open at once; one more gets 503 (each holds a connection and a timer). */
const MAX_STREAMS = 16;
/** How often an open stream checks the queue counts (sent only when they changed). */
const QUEUE_POLL_MS = 500;
const KEEPALIVE_MS = 15_000;
/** Events a stream may hold for a client that does not read them before it is ended. */
const MAX_BACKLOG = 1_000;

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

/** Nothing but the page's own files, no inline code, no framing by another page. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};
const COMMON_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

/**
 * The folder of the dashboard's static files: beside this module in the repository
 * (`adapters/local/runtime/dashboard/`) and in the package (`dist/dashboard/`, copied by the build).
 */
const ASSET_DIR = new URL('./dashboard/', import.meta.url);

/**
 * The browser dashboard of `faasport dev`: static files (plain ES modules and CSS from the
 * package, nothing from the network), the recent invocations with their log lines, and a
 * server-sent event stream of invocations as they end and of queue counts as they change.
 * Its state-changing buttons call the dev API, so the page can do nothing curl cannot.
 */
export function createDashboard(runtime: LocalRuntime, feed: InvocationFeed): Mount {
  let assets: Map<string, { body: string; type: string }> | undefined;
  const asset = (name: string): { body: string; type: string } | undefined => {
    // Read once, on the first visit: a dev server nobody opens in a browser never touches the files.
    assets ??= loadAssets();
    return assets.get(name);
  };
  let streams = 0;

  return async (request) => {
    const url = new URL(request.url);
    const path = url.pathname;
    if (!path.startsWith(DASHBOARD_PATH)) return undefined;
    const method = request.method;
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    if (path === DASHBOARD_PATH || path === `${DASHBOARD_PATH}index.html`) return file(asset('index.html'), PAGE_HEADERS);
    if (path.startsWith(ASSETS)) return file(asset(safeDecode(path.slice(ASSETS.length))));
    if (path === `${DASHBOARD_PATH}invocations`) {
      return Response.json(feed.recent(url.searchParams.get('traceId') ?? undefined), { headers: COMMON_HEADERS });
    }
    const logs = /^\/_faasport\/invocations\/([^/]+)\/logs$/.exec(path);
    if (logs) {
      const found = feed.logs(safeDecode(logs[1]!));
      if (!found)
        return Response.json(
          { error: `invocation "${safeDecode(logs[1]!)}" is not among the recent ones kept (the dashboard keeps 500)`, code: 'NOT_FOUND' },
          { status: 404 },
        );
      return Response.json(found, { headers: COMMON_HEADERS });
    }
    if (path === `${DASHBOARD_PATH}stream`) {
      if (streams >= MAX_STREAMS) {
        return Response.json(
          { error: `GET /_faasport/stream: ${MAX_STREAMS} dashboard streams are open; close a dashboard tab`, code: 'SERVER_BUSY' },
          { status: 503, headers: { 'retry-after': '5' } },
        );
      }
      streams++;
      return eventStream(runtime, feed, () => streams--);
    }
    return undefined;
  };
}

function loadAssets(): Map<string, { body: string; type: string }> {
  const out = new Map<string, { body: string; type: string }>();
  for (const name of readdirSync(ASSET_DIR)) {
    const ext = /^[a-z0-9-]+\.([a-z]+)$/.exec(name)?.[1];
    const type = ext !== undefined ? TYPES[ext] : undefined;
    if (type !== undefined) out.set(name, { body: readFileSync(new URL(name, ASSET_DIR), 'utf8'), type });
  }
  return out;
}

function file(found: { body: string; type: string } | undefined, extra: Record<string, string> = {}): Response | undefined {
  if (!found) return undefined;
  return new Response(found.body, { headers: { 'content-type': found.type, ...COMMON_HEADERS, ...extra } });
}

/** `text/event-stream`: `invocation` as each ends, `queues` when the counts change, a comment line to keep it open. */
function eventStream(runtime: LocalRuntime, feed: InvocationFeed, closed: () => void): Response {
  const encoder = new TextEncoder();
  let stop: (() => void) | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string): void => {
        // A tab that stopped reading (its connection stalled) is ended, not buffered for: it reconnects and starts afresh.
        if ((controller.desiredSize ?? 0) < -MAX_BACKLOG) {
          stop?.();
          stop = undefined;
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(text));
      };
      const send = (event: string, data: unknown): void => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      controller.enqueue(encoder.encode('retry: 1000\n\n'));
      const unsubscribe = feed.subscribe((record: InvocationRecord) => send('invocation', record));
      let last = '';
      const queues = (): void => {
        const stats = JSON.stringify(runtime.stats());
        if (stats === last) return;
        last = stats;
        write(`event: queues\ndata: ${stats}\n\n`);
      };
      queues();
      const poll = setInterval(queues, QUEUE_POLL_MS);
      const keepalive = setInterval(() => write(': keepalive\n\n'), KEEPALIVE_MS);
      poll.unref();
      keepalive.unref();
      stop = () => {
        unsubscribe();
        clearInterval(poll);
        clearInterval(keepalive);
        closed();
      };
    },
    // The server cancels the body when the browser goes away.
    cancel() {
      stop?.();
      stop = undefined;
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream; charset=utf-8', ...COMMON_HEADERS, 'x-accel-buffering': 'no' } });
}
