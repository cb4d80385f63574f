import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAddress, createApp, type App } from '../../src/index.js';
import { decodeAlb, decodeApiGatewayV1, decodeApiGatewayV2 } from '../../adapters/aws/index.js';
import type { ConformanceDriver } from '../harness.js';
import { securityExpectedFailures } from './expected-failures.js';
import { HARNESSES } from './harnesses.js';
import { SPOOF_CORPUS, SPOOFED_HOST, SPOOFED_IPS } from './spoof-corpus.js';

interface WhoAmI {
  host: string;
  protocol: string;
  port: string;
  pathname: string;
  method: string;
  clientIp: string | null;
}

/** One route that reports what the runtime told it about the request. */
function whoamiApp(): App {
  const app = createApp('spoof');
  app.http('whoami', { method: ['GET', 'POST', 'DELETE'], route: '/whoami', public: true }, (req) => {
    const url = new URL(req.url);
    const body: WhoAmI = {
      host: url.host,
      protocol: url.protocol,
      port: url.port,
      pathname: url.pathname,
      method: req.method,
      clientIp: clientAddress(req) ?? null,
    };
    return Response.json(body);
  });
  app.http('panel', { method: '*', route: '/internal/panel', public: true }, () => new Response('panel reached', { status: 418 }));
  return app;
}

function assertNotSpoofed(seen: WhoAmI, baseline: WhoAmI, method: string): void {
  expect(seen.host).toBe(baseline.host);
  expect(seen.host).not.toContain(SPOOFED_HOST);
  expect(['http:', 'https:']).toContain(seen.protocol);
  expect(seen.protocol).toBe(baseline.protocol);
  expect(seen.port).toBe(baseline.port);
  expect(seen.pathname).toBe('/whoami');
  expect(seen.method).toBe(method);
  expect(seen.clientIp).toBe(baseline.clientIp);
  if (seen.clientIp !== null) expect(SPOOFED_IPS).not.toContain(seen.clientIp);
}

/** What `clientAddress` gives with no proxy trusted: the test client's socket, or nothing. */
const PEER: Record<string, string | null> = { local: '127.0.0.1', gcp: '127.0.0.1', azure: null, aws: '127.0.0.1' };

describe.each(HARNESSES)('spoofed forwarding headers on $name', ({ name, load }) => {
  let driver: ConformanceDriver;
  let baseline: WhoAmI;
  const url = 'http://platform.test/whoami';

  beforeAll(async () => {
    driver = await (await load()).start(whoamiApp(), { production: true });
    const res = await driver.fetch(new Request(url));
    expect(res.status).toBe(200);
    baseline = (await res.json()) as WhoAmI;
    // The address the platform saw: the socket peer where there is one (azure's host gives none).
    expect(baseline.clientIp).toBe(PEER[name]);
  }, 120_000);
  afterAll(async () => {
    await driver?.stop();
  }, 60_000);

  it.each(SPOOF_CORPUS)('$name changes nothing the handler sees', async ({ name: test, headers }) => {
    const check = async (): Promise<void> => {
      for (const method of ['GET', 'POST']) {
        const res = await driver.fetch(new Request(url, { method, headers, ...(method === 'POST' ? { body: '{}' } : {}) }));
        expect(res.status, `${method}: ${await res.clone().text()}`).toBe(200);
        assertNotSpoofed((await res.json()) as WhoAmI, baseline, method);
      }
    };
    const known = securityExpectedFailures.find((e) => e.adapter === name && e.test === test);
    if (!known) return check();
    await expect(check(), `now passes on ${name}: remove it from conformance/security/expected-failures.ts`).rejects.toThrow();
  });
});

/** A vendor event with spoofed headers added as a client would send them. */
function withHeaders<T extends { headers?: Record<string, string> | null; multiValueHeaders?: Record<string, string[]> | null }>(
  event: T,
  headers: Record<string, string>,
): T {
  const copy = structuredClone(event);
  if (copy.headers) for (const [k, v] of Object.entries(headers)) copy.headers[k] = v;
  if (copy.multiValueHeaders) for (const [k, v] of Object.entries(headers)) copy.multiValueHeaders[k] = [v];
  return copy;
}

const fixture = <T>(path: string): T => JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8').replace(/^\uFEFF/, '')) as T;

describe('AWS decoders take the client address from the platform, not from headers', () => {
  const cases = [
    {
      name: 'API Gateway REST',
      decode: decodeApiGatewayV1 as (e: never) => Request,
      event: fixture<{ requestContext: { identity: { sourceIp: string } } }>('aws/apigw-rest/post-proxy-plus-authorizer.json'),
      ip: (e: { requestContext: { identity: { sourceIp: string } } }) => e.requestContext.identity.sourceIp,
    },
    {
      name: 'API Gateway HTTP',
      decode: decodeApiGatewayV2 as (e: never) => Request,
      event: fixture<{ requestContext: { http: { sourceIp: string } } }>('aws/apigw-http/iam-authorizer.json'),
      ip: (e: { requestContext: { http: { sourceIp: string } } }) => e.requestContext.http.sourceIp,
    },
  ] as const;

  it.each(cases)('$name: every spoof leaves the source IP and host as the platform set them', ({ decode, event, ip }) => {
    const plain = decode(event as never);
    for (const { headers } of SPOOF_CORPUS) {
      const request = decode(withHeaders(event as never, headers) as never);
      expect(clientAddress(request)).toBe(ip(event as never));
      expect(new URL(request.url).host).toBe(new URL(plain.url).host);
      expect(new URL(request.url).pathname).toBe(new URL(plain.url).pathname);
      expect(request.method).toBe(plain.method);
    }
  });

  it('ALB: the address is the entry the load balancer appended to X-Forwarded-For, not the ones the client sent', () => {
    const event = fixture<{ headers: Record<string, string> }>('aws/alb/single-value-headers.json');
    const lbAppended = '10.0.0.7';
    const spoofed = withHeaders(event, { 'x-forwarded-for': `${SPOOFED_IPS[0]}, ${SPOOFED_IPS[1]}, ${lbAppended}` });
    expect(clientAddress(decodeAlb(spoofed as never))).toBe(lbAppended);
    for (const { headers } of SPOOF_CORPUS.filter((s) => !('x-forwarded-for' in s.headers))) {
      const request = decodeAlb(withHeaders(event, { ...headers, 'x-forwarded-for': lbAppended }) as never);
      expect(clientAddress(request)).toBe(lbAppended);
      expect(new URL(request.url).host).not.toContain(SPOOFED_HOST);
    }
  });
});
