import type { App } from 'faasport';
import { createLambdaControlApi, type LambdaControlApi } from './control-api.js';
import { createLambdaInvokeApi, functionNameOf, type LambdaInvokeApi, type LambdaInvokeApiOptions } from './invoke-api.js';

const PREFIX = '/2015-03-31/functions';
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

export interface DevLambdaApiOptions extends LambdaInvokeApiOptions {
  /**
   * Serve the control API (create / update / get function), which unpacks uploaded zips and
   * runs them. Off by default: whoever reaches it runs code as the developer. Put an
   * authenticating guard in front of {@link DevLambdaApi.isControlPath} routes when it is on.
   */
  controlApi?: boolean;
}

export type DevLambdaApi = ((request: Request) => Promise<Response | undefined>) & {
  close(): Promise<void>;
  /** True for the control API's paths (everything under `/2015-03-31/functions` but Invoke). */
  isControlPath(pathname: string): boolean;
};

/**
 * The Lambda API `faasport dev` serves: the Invoke API for the app's own functions and, when
 * `controlApi` is on, the control API (create / update / get function) so `faasport deploy
 * --target aws --endpoint-url <dev server>` deploys a built zip that then runs under
 * aws-lambda-ric. CreateFunction refuses the names of the app's own functions, so uploaded
 * code never answers in their place. With the control API off, its routes answer 403.
 *
 * @example
 * ```ts
 * import { createApp } from 'faasport';
 * import { createDevLambdaApi } from 'faasport/aws/dev';
 * const api = createDevLambdaApi(createApp('demo'));
 * const res = await api(new Request('http://localhost/2015-03-31/functions/hello/invocations', { method: 'POST', body: '{}' }));
 * ```
 */
export function createDevLambdaApi(app: App | (() => App), options: DevLambdaApiOptions = {}): DevLambdaApi {
  // A function gives the app as it is now: `faasport dev` swaps it when it reloads after an edit.
  const appNow = typeof app === 'function' ? app : () => app;
  let invokeFor: App | undefined;
  let invokeApi: LambdaInvokeApi | undefined;
  const invoke = (request: Request): Promise<Response | undefined> => {
    const now = appNow();
    if (now !== invokeFor || !invokeApi) {
      invokeApi = createLambdaInvokeApi(now, options);
      invokeFor = now;
    }
    return invokeApi(request);
  };
  let control: LambdaControlApi | undefined;
  const controlApi = (): LambdaControlApi =>
    (control ??= createLambdaControlApi({
      ...(options.region ? { region: options.region } : {}),
      ...(options.accountId ? { accountId: options.accountId } : {}),
      reservedNames: appNow().functions.map((f) => f.name),
      ...(options.production ? { production: true } : {}),
    }));
  const api = async (request: Request): Promise<Response | undefined> => {
    const { pathname } = new URL(request.url);
    if (!pathname.startsWith(PREFIX)) return undefined;
    const m = INVOKE_PATH.exec(pathname);
    if (m && !(control?.functions().includes(functionNameOf(decodeURIComponent(m[1]!))) ?? false)) return invoke(request);
    if (!options.controlApi) return controlOff(request.method, pathname);
    return controlApi()(request);
  };
  return Object.assign(api, {
    close: async () => {
      await control?.close();
    },
    isControlPath: (pathname: string) => pathname.startsWith(PREFIX) && !INVOKE_PATH.test(pathname),
  });
}

function controlOff(method: string, pathname: string): Response {
  const message = `${method} ${pathname.slice(0, 200)}: the Lambda control API is off (it runs uploaded code); start faasport dev with --lambda-control-api to deploy to it`;
  return new Response(JSON.stringify({ Type: 'User', message }), {
    status: 403,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' },
  });
}
