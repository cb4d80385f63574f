// Type tests: `tsc -p .` (the first step of npm test) checks every expectTypeOf here and each
// expected type error (an expected error that does not happen is itself an error).
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createApp, type Context, type RouteParams } from './index.js';

describe('ctx.params is typed from the route literal', () => {
  it('names exactly the parameters of the route', () => {
    expectTypeOf<RouteParams<'/items/:id'>>().toEqualTypeOf<{ readonly id: string }>();
    expectTypeOf<RouteParams<'/shops/:shop/items/:item/*'>>().toEqualTypeOf<{ readonly shop: string; readonly item: string; readonly '*': string }>();
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a route without params has exactly no keys
    expectTypeOf<RouteParams<'/health'>>().toEqualTypeOf<{}>();
    // A route that is not a literal keeps a string record.
    expectTypeOf<RouteParams<string>>().toEqualTypeOf<Readonly<Record<string, string>>>();
  });

  it('in a handler, a known param is a string (also under noUncheckedIndexedAccess) and an unknown one does not compile', () => {
    const app = createApp('typed');
    const def = app.http('item', { route: '/items/:id' }, (_req, ctx) => {
      expectTypeOf(ctx.params.id).toEqualTypeOf<string>();
      // @ts-expect-error the route has no "idd"
      void ctx.params.idd;
      return Response.json({ id: ctx.params.id.toUpperCase() });
    });
    // A handler written against the plain Context still fits.
    const plain = (_req: Request, ctx: Context): Response => Response.json(ctx.params);
    app.http('plain', { route: '/plain/:x' }, plain);
    expect(def.route.paramNames).toEqual(['id']);
  });
});
