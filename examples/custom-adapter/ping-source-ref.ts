import { FaasportError } from 'faasport';

/** Which PingSource a ping came from (`/apis/v1/namespaces/<namespace>/pingsources/<name>`). */
export interface PingSourceRef {
  readonly namespace: string;
  readonly name: string;
}

const SOURCE = /^\/apis\/v1\/namespaces\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/pingsources\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/;

/**
 * The PingSource name for a schedule function: Kubernetes names are lower-case DNS labels,
 * so `nightlyReport` becomes `nightly-report`.
 *
 * @example
 * ```ts
 * pingSourceName('nightlyReport'); // 'nightly-report'
 * ```
 */
export function pingSourceName(functionName: string): string {
  return functionName
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
}

/** The `source` attribute a PingSource stamps on its events. */
export function pingSourceUri(ref: PingSourceRef): string {
  return `/apis/v1/namespaces/${ref.namespace}/pingsources/${ref.name}`;
}

/** Parses a ping's `source`; EVENT_INVALID when it is not a PingSource path. */
export function parsePingSource(source: string, operation: string): PingSourceRef {
  const m = SOURCE.exec(source);
  if (!m) {
    throw new FaasportError('EVENT_INVALID', `${operation}: source "${source}" is not a PingSource (/apis/v1/namespaces/<namespace>/pingsources/<name>)`, {
      status: 400,
      details: { path: 'source' },
    });
  }
  return { namespace: m[1]!, name: m[3]! };
}
