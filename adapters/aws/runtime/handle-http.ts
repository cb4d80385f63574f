import {
  errorResponse,
  FaasportError,
  invokeHttp,
  isFaasportError,
  summariseError,
  isMethodAllowed,
  methodNotAllowed,
  parseTraceparent,
  parseXRayHeader,
  routeNotFound,
  unsupportedMethod,
  type HttpFunctionDefinition,
  type InvocationContext,
} from 'faasport';
import { AlbRequest, isAlbMultiValue } from './decode-alb.js';
import { ApiGatewayV1Request } from './decode-api-gateway-v1.js';
import { ApiGatewayV2Request } from './decode-api-gateway-v2.js';
import { safeDecode } from 'faasport/adapter-kit';
import { installLightResponse } from 'faasport/adapter-kit';
import { detectEvent, unrecognisedEvent } from './detect-event.js';
import { keyPath, optionalObjectAt, optionalStringAt } from './event-fields.js';
import { encodeAlb } from './encode-alb.js';
import { encodeApiGatewayV1 } from './encode-api-gateway-v1.js';
import { encodeApiGatewayV2 } from './encode-api-gateway-v2.js';
import { toHttpApiPath } from './http-api-path.js';
import { createContext } from './create-context.js';
import { beginInvocation, type HandlerDeps } from './handler-deps.js';
import { LAMBDA_MAX_PAYLOAD_BYTES } from './limits.js';
import { toFetchRequest, type LambdaRequest } from './lambda-request.js';
import type { AlbEventLike, ApiGatewayV1EventLike, ApiGatewayV2EventLike, LambdaHandler, ProxyResultV1, ProxyResultV2 } from './types.js';

const ACCEPTS = 'API Gateway REST (v1) and HTTP API (v2), ALB and Function URL events';
// Room for the JSON envelope around the body in Lambda's 6 MB response payload.
const MAX_RESPONSE_BODY = LAMBDA_MAX_PAYLOAD_BYTES - 64 * 1024;

type HttpEvent = ApiGatewayV1EventLike | ApiGatewayV2EventLike | AlbEventLike;
let lightResponseChecked = false;

/**
 * The Lambda handler of one HTTP function: decodes whichever HTTP event arrives, runs the
 * function with a lazily built Request, and answers in the caller's result shape.
 */
export function createHttpHandler(def: HttpFunctionDefinition, deps: HandlerDeps): LambdaHandler<HttpEvent, ProxyResultV1 | ProxyResultV2> {
  const ownRoute = toHttpApiPath(def.route.route);
  return async (event, lambdaContext) => {
    // On the first request, not at import: making the light Response loads undici.
    if (!lightResponseChecked) {
      lightResponseChecked = true;
      installLightResponse();
    }
    const kind = detectEvent(event);
    if (kind !== 'apigw-v2' && kind !== 'function-url' && kind !== 'apigw-v1' && kind !== 'alb') throw unrecognisedEvent(def.name, ACCEPTS, event, kind);
    let request: LambdaRequest;
    let fetchRequest: Request | undefined;
    let answer: Response | undefined;
    let path: string;
    let params: Readonly<Record<string, string>> | undefined | null;
    try {
      // The method, path and route parameters are checked here; other fields when the function reads them.
      const e = event as { pathParameters?: unknown; resource?: unknown; routeKey?: unknown };
      if (kind === 'apigw-v1' || kind === 'alb') {
        const r = kind === 'alb' ? new AlbRequest(event as AlbEventLike) : new ApiGatewayV1Request(event as ApiGatewayV1EventLike);
        request = r;
        path = r.path;
        params = routeParams(def, path, undefined, kind === 'apigw-v1' ? e.resource : undefined, ownRoute, e.pathParameters);
      } else {
        const r = new ApiGatewayV2Request(event as ApiGatewayV2EventLike);
        request = r;
        path = r.path;
        params = routeParams(def, path, r.stage, routeKeyPath(e.routeKey), ownRoute, e.pathParameters);
      }
      // Answered before the function runs: a method a Fetch Request cannot carry, a path its route
      // does not match (Function URLs, ALB rules and REST {proxy+} send every path), a method it does not take.
      answer =
        unsupportedMethod(request.method) ??
        (params === null
          ? noRoute(deps.routes ?? [def], request.method, path)
          : isMethodAllowed(def, request.method)
            ? undefined
            : methodNotAllowed(def, request.method, path));
      // Where this Node cannot take the lazy request, the real one is built here, so a field of the
      // wrong type is the same 400 as when a lazy request's function reads it.
      if (!answer) fetchRequest = toFetchRequest(request);
    } catch (err) {
      if (!isFaasportError(err)) throw err;
      // An event that is not a valid HTTP event of its kind: the client gets 400, the function does not run.
      const refused = beginInvocation(def, deps, lambdaContext);
      const ctx = createContext(def, refused, deps.settings, event, 1, () => parseXRayHeader(refused.lambdaTrace));
      const summary = summariseError(err);
      ctx.log.warn('http event refused', { error: summary, path: err.details?.path });
      const body = { error: summary.message, code: err.code, invocationId: ctx.invocationId };
      return encodeFor(kind, event, Response.json(body, { status: err.status ?? 400 }), 'GET', ctx, deps.production);
    }
    const facts = beginInvocation(def, deps, lambdaContext);
    const ctx = createContext(def, facts, deps.settings, event, 1, () => httpParentTrace(request, facts.lambdaTrace), params ?? undefined);
    const response = answer ?? (await invokeHttp(def, fetchRequest!, ctx, { production: deps.production }));
    // Lambda freezes the process once the result is returned: finish waitUntil work first.
    if (ctx.pending.length > 0) await Promise.all(ctx.pending);
    return encodeFor(kind, event, response, request.method, ctx, deps.production);
  };
}

async function encodeFor(
  kind: 'apigw-v1' | 'apigw-v2' | 'function-url' | 'alb',
  event: HttpEvent,
  response: Response,
  method: string,
  ctx: InvocationContext,
  production: boolean,
  retry = true,
): Promise<ProxyResultV1 | ProxyResultV2> {
  let result: ProxyResultV1 | ProxyResultV2;
  try {
    result =
      kind === 'alb'
        ? await encodeAlb(response, { multiValue: isAlbMultiValue(event as AlbEventLike), method, warn: (msg, fields) => ctx.log.warn(msg, fields) })
        : kind === 'apigw-v1'
          ? await encodeApiGatewayV1(response, method)
          : await encodeApiGatewayV2(response, method);
  } catch (err) {
    if (!retry) throw err;
    return encodeFor(kind, event, errorResponse(err, ctx, production), method, ctx, production, false);
  }
  if (retry && result.body.length > MAX_RESPONSE_BODY) {
    const err = new FaasportError(
      'PAYLOAD_TOO_LARGE',
      `http "${ctx.functionName}": response body is ${result.body.length} bytes${result.isBase64Encoded ? ' after base64' : ''}, Lambda returns at most 6 MB; stream large files from S3 instead`,
      { status: 500 },
    );
    return encodeFor(kind, event, errorResponse(err, ctx, production), method, ctx, production, false);
  }
  return result;
}

/**
 * Route parameters: from the function's own route matched on the path (also without an
 * HTTP API stage prefix); else, when API Gateway says it matched this function's own route
 * (`resource` / `routeKey`, e.g. behind a custom domain's base path), the ones it extracted.
 * Null when the path is not the function's: the caller answers 404 without running it.
 */
function routeParams(
  def: HttpFunctionDefinition,
  path: string,
  stage: string | undefined,
  platformRoute: unknown,
  ownRoute: string,
  pathParameters: unknown,
): Readonly<Record<string, string>> | undefined | null {
  const direct = def.route.match(path);
  if (direct) return direct;
  if (stage && stage !== '$default' && path.startsWith(`/${stage}/`)) {
    const stripped = def.route.match(path.slice(stage.length + 1));
    if (stripped) return stripped;
  }
  if (platformRoute !== ownRoute) return null;
  if (def.route.paramNames.length === 0) return undefined;
  const extracted = optionalObjectAt(pathParameters, 'aws http event', 'pathParameters');
  if (!extracted) return undefined;
  const params: Record<string, string> = {};
  for (const name of def.route.paramNames) {
    const key = name === '*' ? 'proxy' : name;
    const value = optionalStringAt(Object.hasOwn(extracted, key) ? extracted[key] : undefined, 'aws http event', keyPath('pathParameters', key));
    if (value !== undefined) params[name] = safeDecode(value);
  }
  return params;
}

/** The path of an HTTP API route key (`GET /users/{id}` → `/users/{id}`; `$default` stays). */
function routeKeyPath(routeKey: unknown): unknown {
  if (typeof routeKey !== 'string') return undefined;
  const space = routeKey.indexOf(' ');
  return space === -1 ? routeKey : routeKey.slice(space + 1);
}

/**
 * The answer to a path this function's route does not match: 405 when another function of the
 * app serves the path with other methods, else the 404 every faasport runtime gives.
 */
function noRoute(routes: readonly HttpFunctionDefinition[], method: string, path: string): Response {
  const matched = routes.filter((r) => r.route.match(path) !== undefined);
  return matched.length > 0 && !matched.some((r) => isMethodAllowed(r, method)) ? methodNotAllowed(matched, method, path) : routeNotFound(method, path);
}

function httpParentTrace(request: LambdaRequest, lambdaTrace: string | undefined) {
  let headers: Headers;
  try {
    headers = request.headers;
  } catch {
    // Headers of the wrong type: the function gets the EVENT_INVALID when it reads them; the trace falls back to Lambda's.
    return parseXRayHeader(lambdaTrace);
  }
  return parseTraceparent(headers.get('traceparent')) ?? parseXRayHeader(headers.get('x-amzn-trace-id') ?? lambdaTrace);
}
