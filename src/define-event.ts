import type { AppRegistry } from './app-registry.js';
import { COMMON_KEYS, checkHandler, commonOptions } from './common-options.js';
import type { EventFunctionDefinition, EventOptions } from './definitions.js';
import { checkInteger, checkKnownOptions, checkName, invalid } from './options.js';
import type { EventHandler } from './types.js';

/** `app.event(name, options, handler)`: a `type` and `source` filter, each a string that may end in `*` (`{}` takes every event). */
export function defineEvent<T>(registry: AppRegistry, fname: string, options: EventOptions, handler: EventHandler<T>): EventFunctionDefinition {
  const what = `event "${fname}"`;
  checkName('function', fname);
  checkHandler(what, handler);
  if (typeof options !== 'object' || options === null) throw invalid(what, 'options { type?, source? } are required (use {} for every event)');
  checkKnownOptions(what, options, ['type', 'source', 'maxAttempts', ...COMMON_KEYS]);
  for (const key of ['type', 'source'] as const) {
    const v = options[key];
    if (v !== undefined && (typeof v !== 'string' || v === '' || (v.indexOf('*') !== -1 && v.indexOf('*') !== v.length - 1))) {
      throw invalid(what, `${key} must be a non-empty string, optionally ending in "*", got ${JSON.stringify(v)}`);
    }
  }
  return registry.register<EventFunctionDefinition>({
    kind: 'event',
    name: fname,
    type: options.type,
    source: options.source,
    maxAttempts: options.maxAttempts === undefined ? 5 : checkInteger(what, 'maxAttempts', options.maxAttempts, 1, 100),
    handler: handler as EventHandler<unknown>,
    ...commonOptions(what, options),
  });
}
