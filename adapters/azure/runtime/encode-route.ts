import { FaasportError, type HttpFunctionDefinition } from 'faasport';
import { WILDCARD_PARAM } from './decode-http-request.js';

const RESERVED = new Set(['admin', 'runtime']);

/**
 * Converts a faasport route to an Azure route template: `/hello/:name` → `hello/{name}`,
 * `/files/*` → `files/{*faasport_rest}`. The build sets host.json `routePrefix` to "", so the
 * URL path stays the one the app defines (no `/api`). Refused with CAPABILITY_UNSUPPORTED:
 * `/` (an empty template means "the function name" to the host) and paths under the host's
 * reserved `admin/` and `runtime/`.
 *
 * @example
 * ```ts
 * import { createApp } from 'faasport';
 * import { toAzureRoute } from 'faasport/azure';
 * const app = createApp('demo');
 * toAzureRoute(app.http('hello', { route: '/hello/:name' }, () => new Response('hi'))); // 'hello/{name}'
 * ```
 */
export function toAzureRoute(def: Pick<HttpFunctionDefinition, 'name' | 'route'>): string {
  const route = def.route.route;
  const segments = route === '/' ? [] : route.slice(1).split('/');
  const refuse = (why: string): never => {
    throw new FaasportError('CAPABILITY_UNSUPPORTED', `http "${def.name}": route "${route}" ${why} on azure; choose another path`, {
      details: { adapter: 'azure', route },
    });
  };
  if (segments.length === 0) refuse('cannot be served (an empty Azure route template means "use the function name")');
  if (RESERVED.has(segments[0]!.toLowerCase())) refuse(`uses "/${segments[0]}", which the Functions host reserves`);
  return segments.map((s) => (s === '*' ? `{*${WILDCARD_PARAM}}` : s.startsWith(':') ? `{${s.slice(1)}}` : s)).join('/');
}
