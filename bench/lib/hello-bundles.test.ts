import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiGatewayV2Event, lambdaContext } from '../../adapters/aws/testing/events.js';
import { helloBundles } from './hello-bundles.js';

// `npm run bench` is not part of `npm test`; its bundling step is, so a change to the package's
// entries that breaks the bench (the aliases it bundles faasport with) fails here first.
describe('the bench bundles', () => {
  it('the hello app bundles for Lambda with faasport and with hono, and the faasport one answers', async () => {
    const { faasport, hono } = await helloBundles();
    expect(statSync(faasport).size).toBeGreaterThan(1000);
    expect(statSync(hono).size).toBeGreaterThan(1000);
    const { hello } = (await import(faasport)) as { hello: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }> };
    const base = apiGatewayV2Event();
    const answer = await hello(
      apiGatewayV2Event({
        rawPath: '/hello',
        requestContext: { ...base.requestContext, http: { ...base.requestContext.http, method: 'GET', path: '/hello' } },
      }),
      lambdaContext(),
    );
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ hello: 'world' });
  }, 60_000);
});
