import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { helloBundles } from '../lib/hello-bundles.js';
import { median } from '../report.js';
import type { BenchRow } from '../row.js';

const SPAWNS_PER_ROUND = 5;

/** A fresh process imports one bundle, then calls `hello` once with an HTTP API GET event. */
function timeFreshImport(bundle: string): { importMs: number; firstCallMs: number } {
  const event = {
    version: '2.0',
    routeKey: 'GET /hello',
    rawPath: '/hello',
    rawQueryString: '',
    headers: { host: 'abc.execute-api.us-east-1.amazonaws.com', accept: 'application/json' },
    requestContext: {
      http: { method: 'GET', path: '/hello', protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'bench' },
      stage: '$default',
      domainName: 'abc.execute-api.us-east-1.amazonaws.com',
      requestId: 'r',
      routeKey: 'GET /hello',
      timeEpoch: 0,
      accountId: '123456789012',
      apiId: 'abc',
      domainPrefix: 'abc',
      time: '',
    },
    isBase64Encoded: false,
  };
  const context = { awsRequestId: 'bench', functionName: 'hello', getRemainingTimeInMillis: () => 3000 };
  const script = `
const t0 = performance.now();
const m = await import(${JSON.stringify(pathToFileURL(bundle).href)});
const t1 = performance.now();
const r = await m.hello(${JSON.stringify(event)}, { ...${JSON.stringify(context)}, getRemainingTimeInMillis: () => 3000 });
const t2 = performance.now();
if (r.statusCode !== 200 || JSON.parse(r.body).hello !== 'world') throw new Error('hello answered ' + JSON.stringify(r));
process.stdout.write(JSON.stringify({ importMs: t1 - t0, firstCallMs: t2 - t0 }));
`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, FAASPORT_LOG_LEVEL: 'error' } });
  return JSON.parse(out) as { importMs: number; firstCallMs: number };
}

const rounds = new Map<number, Promise<Record<'faasport' | 'hono', { importMs: number; firstCallMs: number }>>>();

/** One round of fresh processes, alternating faasport and hono, shared by both rows. */
function round(n: number): Promise<Record<'faasport' | 'hono', { importMs: number; firstCallMs: number }>> {
  let r = rounds.get(n);
  if (!r) {
    r = (async () => {
      const bundles = await helloBundles();
      const seen = { faasport: [] as { importMs: number; firstCallMs: number }[], hono: [] as { importMs: number; firstCallMs: number }[] };
      for (let i = 0; i < SPAWNS_PER_ROUND; i++) {
        for (const name of i % 2 === 0 ? (['faasport', 'hono'] as const) : (['hono', 'faasport'] as const)) seen[name].push(timeFreshImport(bundles[name]));
      }
      const pick = (list: { importMs: number; firstCallMs: number }[]) => ({
        importMs: median(list.map((x) => x.importMs)),
        firstCallMs: median(list.map((x) => x.firstCallMs)),
      });
      return { faasport: pick(seen.faasport), hono: pick(seen.hono) };
    })();
    rounds.set(n, r);
  }
  return r;
}

export const rows: BenchRow[] = [
  {
    id: 'aws-import',
    what: 'AWS hello bundle import in a fresh process (the bundle faasport build writes)',
    unit: 'ms',
    better: 'lower',
    subject: 'faasport',
    peer: 'hono',
    goal: { ratio: 2, text: "≤ 2x hono's import" },
    note: "the bundle is several times the size of hono's (see aws-bundle-size): more to parse and evaluate. undici and node:crypto are no longer loaded at import.",
    async measure(n) {
      const r = await round(n);
      return { faasport: r.faasport.importMs, hono: r.hono.importMs };
    },
  },
  {
    id: 'aws-import-first-call',
    what: 'AWS hello import + first call (API GW v2 GET) in a fresh process',
    unit: 'ms',
    better: 'lower',
    subject: 'faasport',
    peer: 'hono',
    goal: { ratio: 1, text: "≤ hono's import + first call" },
    note: "both load undici (Node's Fetch API, tens of ms) on the first request: hono to build its Request, faasport for the light Response and the one-time probes that guard the lazy Request; faasport's larger import (see aws-import) is the rest.",
    async measure(n) {
      const r = await round(n);
      return { faasport: r.faasport.firstCallMs, hono: r.hono.firstCallMs };
    },
  },
];
