import type { App } from '../../src/index.js';
import { createLambdaControlApi, type LambdaControlApi } from './control-api.js';
import { createLambdaInvokeApi, type LambdaInvokeApiOptions } from './invoke-api.js';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

export type DevLambdaApi = ((request: Request) => Promise<Response | undefined>) & { close(): Promise<void> };

/**
 * The Lambda API `faasport dev` serves: the Invoke API for the app's own functions, and the
 * control API (create / update / get function) so `faasport deploy --target aws
 * --endpoint-url <dev server>` deploys a built zip that then runs under aws-lambda-ric.
 * A function deployed through the control API takes precedence over the app's own of the
 * same name.
 *
 * @example
 * ```ts
 * import { createApp } from 'faasport';
 * import { createDevLambdaApi } from 'faasport/aws';
 * const api = createDevLambdaApi(createApp('demo'));
 * const res = await api(new Request('http://localhost/2015-03-31/functions/hello/invocations', { method: 'POST', body: '{}' }));
 * ```
 */
export function createDevLambdaApi(app: App, options: LambdaInvokeApiOptions = {}): DevLambdaApi {
  const invoke = createLambdaInvokeApi(app, options);
  let control: LambdaControlApi | undefined;
  const controlApi = (): LambdaControlApi => (control ??= createLambdaControlApi({ ...(options.region ? { region: options.region } : {}), ...(options.accountId ? { accountId: options.accountId } : {}) }));
  const api = async (request: Request): Promise<Response | undefined> => {
    const { pathname } = new URL(request.url);
    if (!pathname.startsWith('/2015-03-31/functions')) return undefined;
    const m = INVOKE_PATH.exec(pathname);
    if (m && !(control?.functions().includes(decodeURIComponent(m[1]!)) ?? false)) return invoke(request);
    return controlApi()(request);
  };
  return Object.assign(api, { close: async () => { await control?.close(); } });
}
