import type { App } from './app.js';
import type { FunctionDefinition, QueueDefinition } from './definitions.js';
import { FaasportError } from './errors.js';

/** Which queues a function may send to and which topics it may publish to. */
export interface ProducerTargets {
  readonly queues: readonly QueueDefinition[];
  readonly topics: readonly QueueDefinition[];
}

/**
 * The queues and topics `fn` may write to: exactly those its definition lists in `sends`
 * (none when it lists none). `overrides[fn.name]`, when given, replaces that list (a deploy
 * option for an app you cannot edit). A name that is neither a queue nor a topic of the app
 * is a CONFIG_INVALID error, so a typo cannot silently grant nothing or everything.
 *
 * @example
 * ```ts
 * import { createApp, producerTargets } from 'faasport';
 * const app = createApp('shop');
 * const orders = app.queue('orders');
 * const fn = app.http('order', { method: 'POST', route: '/orders', sends: [orders] }, () => new Response('ok'));
 * producerTargets(app, fn).queues.map((q) => q.name); // ['orders']
 * ```
 */
export function producerTargets(
  app: App,
  fn: Pick<FunctionDefinition, 'name'> & { readonly sends?: readonly string[] },
  overrides?: Readonly<Record<string, readonly string[]>>,
): ProducerTargets {
  const listed = overrides?.[fn.name] ?? fn.sends ?? app.getFunction(fn.name)?.sends ?? [];
  const what = overrides?.[fn.name] ? `sends.${fn.name}` : `function "${fn.name}": sends`;
  const queues: QueueDefinition[] = [];
  const topics: QueueDefinition[] = [];
  for (const name of listed) {
    const q = app.getQueue(name);
    const t = app.getTopic(name);
    if (q) queues.push(q);
    else if (t) topics.push(t);
    else {
      throw new FaasportError(
        'CONFIG_INVALID',
        `${what}: "${name}" is neither a queue nor a topic of app "${app.name}"; use one of ${[...app.queues, ...app.topics].map((d) => d.name).join(', ') || '(none defined)'}`,
        { details: { function: fn.name, name } },
      );
    }
  }
  return { queues, topics };
}

/**
 * Checks a whole `sends` map up front: every key names a function of the app and every
 * listed name a queue or topic (CONFIG_INVALID otherwise), so a deploy file is never
 * written from a typo.
 *
 * @example
 * ```ts
 * import { checkSends, createApp } from 'faasport';
 * const app = createApp('shop');
 * app.queue('orders');
 * app.http('hello', { route: '/hello' }, () => new Response('hi'));
 * checkSends(app, { hello: ['orders'] }); // passes; { helo: [] } would throw
 * ```
 */
export function checkSends(app: App, sends: Readonly<Record<string, readonly string[]>> | undefined): void {
  if (!sends) return;
  for (const name of Object.keys(sends)) {
    if (!app.getFunction(name)) {
      throw new FaasportError(
        'CONFIG_INVALID',
        `sends: "${name}" is not a function of app "${app.name}"; use one of ${app.functions.map((f) => f.name).join(', ')}`,
        {
          details: { function: name },
        },
      );
    }
    producerTargets(app, { name }, sends);
  }
}

/**
 * Checks every function's declared `sends` against the app's queues and topics
 * (CONFIG_INVALID naming the function and the name). Runtimes call it when they attach, so a
 * typo fails at start, not on the first send.
 */
export function checkDeclaredSends(app: App): void {
  for (const fn of app.functions) if (fn.sends.length > 0) producerTargets(app, fn);
}
