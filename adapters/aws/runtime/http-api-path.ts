/**
 * A faasport route in API Gateway's path syntax: `/hello/:name` → `/hello/{name}`, a final
 * `*` → `{proxy+}`. The template writes it as the route; the handler compares it with the
 * route API Gateway says it matched.
 *
 * @example
 * ```ts
 * import { toHttpApiPath } from 'faasport/aws';
 * toHttpApiPath('/files/:id/*'); // '/files/{id}/{proxy+}'
 * ```
 */
export function toHttpApiPath(route: string): string {
  return route
    .split('/')
    .map((segment) => (segment === '*' ? '{proxy+}' : segment.startsWith(':') ? `{${segment.slice(1)}}` : segment))
    .join('/');
}
