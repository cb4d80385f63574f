import { FaasportError } from 'faasport';

/** Suffix of the queue the Functions host moves poison messages to. */
export const POISON_SUFFIX = '-poison';

const STORAGE_QUEUE_NAME = /^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$/;
const MAX_NAME = 63 - POISON_SUFFIX.length;

/**
 * The Storage queue behind a faasport queue (its name, lower-cased) or behind one topic
 * subscription (`<topic>-<function>`: topics fan out to one queue per subscriber). Storage
 * names are 3-63 lower-case letters, digits and single hyphens; 7 characters stay free for
 * the host's `-poison` queue. Throws CAPABILITY_UNSUPPORTED naming the fix otherwise.
 *
 * @example
 * ```ts
 * import { storageQueueName } from 'faasport/azure';
 * storageQueueName('orders'); // 'orders'
 * storageQueueName('shipped', 'notifyCustomer'); // 'shipped-notifycustomer'
 * ```
 */
export function storageQueueName(queue: string, subscriber?: string): string {
  const name = (subscriber === undefined ? queue : `${queue}-${subscriber}`).toLowerCase();
  if (name.length < 3 || name.length > MAX_NAME || !STORAGE_QUEUE_NAME.test(name)) {
    const what = subscriber === undefined ? `queue "${queue}"` : `topic "${queue}" subscriber "${subscriber}"`;
    throw new FaasportError(
      'CAPABILITY_UNSUPPORTED',
      `${what}: azure storage queue name "${name}" is invalid (3-${MAX_NAME} lower-case letters, digits and single "-", not ending in "-"); rename it`,
      { details: { adapter: 'azure', name } },
    );
  }
  return name;
}
