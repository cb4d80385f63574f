import type { App } from './app.js';
import type { FunctionDefinition, QueueDefinition } from './definitions.js';
import { FaasportError } from './errors.js';

/** Which queues a function may send to and which topics it may publish to. */
export interface ProducerTargets {
  readonly queues: readonly QueueDefinition[];
  readonly topics: readonly QueueDefinition[];
}

/**
 * The queues and topics `fn` may write to. `queue.send` happens inside handler code, which
 * faasport cannot see at build time, so by default every function may send to every queue
 * and publish to every topic of the app (and to nothing else: no wildcard, no other app's
 * resources). `sends[fn.name]` narrows that to the names listed; an unknown name is a
 * CONFIG_INVALID error, so a typo cannot silently grant nothing or everything.
 *
 * @example
 * ```ts
 * import { createApp, producerTargets } from 'faasport';
 * const app = createApp('shop');
 * app.queue('orders');
 * const fn = app.http('hello', { route: '/hello' }, () => new Response('hi'));
 * producerTargets(app, fn, { hello: [] }).queues; // []
 * ```
 */
export function producerTargets(app: App, fn: Pick<FunctionDefinition, 'name'>, sends?: Readonly<Record<string, readonly string[]>>): ProducerTargets {
  const listed = sends?.[fn.name];
  if (listed === undefined) return { queues: app.queues, topics: app.topics };
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
        `sends.${fn.name}: "${name}" is neither a queue nor a topic of app "${app.name}"; use one of ${[...app.queues, ...app.topics].map((d) => d.name).join(', ') || '(none defined)'}`,
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
      throw new FaasportError('CONFIG_INVALID', `sends: "${name}" is not a function of app "${app.name}"; use one of ${app.functions.map((f) => f.name).join(', ')}`, {
        details: { function: name },
      });
    }
    producerTargets(app, { name }, sends);
  }
}
