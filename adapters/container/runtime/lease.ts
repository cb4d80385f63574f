import { FaasportError } from 'faasport';

/**
 * FAASPORT_LEASE_SECONDS: how long one receive hides a message before the consumer extends
 * it (it extends at a third of that while the handler runs). 1 to 600 (Pub/Sub's longest ack deadline).
 */
export function leaseSecondsFromEnv(env: NodeJS.ProcessEnv, fallback: number): number {
  const value = env.FAASPORT_LEASE_SECONDS;
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 600) {
    throw new FaasportError('CONFIG_INVALID', `container: FAASPORT_LEASE_SECONDS must be a whole number from 1 to 600, got "${value.slice(0, 40)}"`);
  }
  return n;
}
