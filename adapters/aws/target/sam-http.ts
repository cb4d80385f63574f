import type { App, HttpFunctionDefinition } from 'faasport';
import { toHttpApiPath } from '../runtime/http-api-path.js';
import { pascal, ref, sub, type Json, type SamResources, type Trigger } from './sam-resources.js';

/** The app's HTTP API, when it has HTTP functions: every route needs IAM auth (SigV4) unless its definition is public. */
export function addHttpApi(t: SamResources, app: App): string | undefined {
  if (!app.functions.some((f) => f.kind === 'http')) return undefined;
  const apiId = t.id('HttpApi', 'the HTTP API');
  t.add(apiId, {
    Type: 'AWS::Serverless::HttpApi',
    Properties: { Auth: { EnableIamAuthorizer: true, DefaultAuthorizer: 'AWS_IAM' } },
  });
  t.output('HttpApiUrl', { Description: 'Base URL of the HTTP API', Value: sub(`https://\${${apiId}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/`) });
  return apiId;
}

/**
 * What an HTTP function's routes add to it: one HTTP API event per method, the `$default`
 * route when it is the app's {@link defaultRouteFunction}, and a Function URL when asked for.
 */
export function httpTrigger(fn: HttpFunctionDefinition, apiId: string, takesDefaultRoute: boolean, functionUrls: boolean | undefined): Trigger {
  const events = httpEvents(fn, apiId);
  if (takesDefaultRoute) events.HttpDefault = defaultRouteEvent(fn, apiId);
  const properties = functionUrls ? { FunctionUrlConfig: { AuthType: fn.public ? 'NONE' : 'AWS_IAM' } } : {};
  return { statements: [], env: {}, events, properties };
}

/**
 * The HTTP function that also takes the HTTP API's `$default` route, so a request no route
 * matches gets faasport's 404 JSON (or 405 when another function serves the path) rather than
 * API Gateway's own `{"message":"Not Found"}`: the handler answers it without running user
 * code. A public function when there is one: the `$default` route has that function's auth, so
 * an API with no public function stays closed to anonymous clients (403 from API Gateway).
 */
export function defaultRouteFunction(app: App): HttpFunctionDefinition | undefined {
  const http = app.functions.filter((f): f is HttpFunctionDefinition => f.kind === 'http');
  return http.find((f) => f.public) ?? http[0];
}

/** A SAM HttpApi event without Path and Method is the API's `$default` route. */
function defaultRouteEvent(fn: HttpFunctionDefinition, apiId: string): Json {
  return { Type: 'HttpApi', Properties: { ApiId: ref(apiId), PayloadFormatVersion: '2.0', Auth: { Authorizer: fn.public ? 'NONE' : 'AWS_IAM' } } };
}

function httpEvents(fn: HttpFunctionDefinition, apiId: string): Record<string, Json> {
  const methods = fn.methods === '*' ? ['ANY'] : fn.methods;
  const events: Record<string, Json> = {};
  for (const method of methods) {
    events[`Http${pascal(method.toLowerCase())}`] = {
      Type: 'HttpApi',
      Properties: {
        ApiId: ref(apiId),
        Method: method,
        Path: toHttpApiPath(fn.route.route),
        PayloadFormatVersion: '2.0',
        Auth: { Authorizer: fn.public ? 'NONE' : 'AWS_IAM' },
      },
    };
  }
  return events;
}
