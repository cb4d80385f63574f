import { currentInvocation } from './context.js';
import type { FunctionDefinition, QueueDefinition } from './definitions.js';
import { FaasportError } from './errors.js';
import type { Transport } from './transport.js';

/**
 * What every definition of one app shares: its functions, queues and topics, the names they
 * claim, and the runtime that `send` and `publish` go through once an adapter attaches it.
 * The `define*` functions add to it; `createApp` exposes it read-only.
 */
export class AppRegistry {
  readonly functions: FunctionDefinition[] = [];
  readonly queues: QueueDefinition[] = [];
  readonly topics: QueueDefinition[] = [];
  readonly byName = new Map<string, FunctionDefinition>();
  /** Set by `attachTransport`. */
  transport: Transport | undefined = undefined;

  constructor(
    readonly appName: string,
    /** The app's `log.redact` paths, copied onto every function it registers. */
    readonly logRedact: readonly string[] | undefined,
  ) {}

  /** Adds a function (with the app's log redaction); a name already taken is DUPLICATE_NAME. */
  register<D extends FunctionDefinition>(def: D): D {
    if (this.byName.has(def.name)) {
      throw new FaasportError('DUPLICATE_NAME', `function "${def.name}" is defined twice in app "${this.appName}"; function names must be unique`, {
        details: { name: def.name },
      });
    }
    const registered = this.logRedact ? { ...def, logRedact: this.logRedact } : def;
    this.byName.set(def.name, registered);
    this.functions.push(registered);
    return registered;
  }

  /** Queue and topic names share one namespace: a name already taken is DUPLICATE_NAME. */
  claimQueueName(kind: 'queue' | 'topic', name: string): void {
    if (this.queues.some((q) => q.name === name) || this.topics.some((t) => t.name === name)) {
      throw new FaasportError('DUPLICATE_NAME', `${kind} "${name}" is defined twice in app "${this.appName}"; queue and topic names share one namespace`, {
        details: { name },
      });
    }
  }

  /**
   * The runtime half of least privilege: inside an invocation, a function sends only where it
   * said it would (SEND_UNDECLARED otherwise), so what works under `faasport dev` also has the
   * permissions it needs in the cloud.
   */
  checkDeclared(operation: string, kind: 'queue' | 'topic', target: string): void {
    const invocation = currentInvocation.getStore();
    if (!invocation) return;
    const fn = this.byName.get(invocation.functionName);
    if (!fn || fn.sends.includes(target)) return;
    throw new FaasportError(
      'SEND_UNDECLARED',
      `${operation}: function "${fn.name}" does not declare that it sends to ${kind} "${target}"; add sends: [${target}] to its options (the deploy files grant a function only the queues and topics it declares)`,
      { details: { function: fn.name, [kind]: target } },
    );
  }

  /** The attached transport, or NO_RUNTIME naming the operation. */
  transportFor(operation: string): Transport {
    const t = this.transport;
    if (!t) {
      throw new FaasportError(
        'NO_RUNTIME',
        `${operation}: no runtime is attached to app "${this.appName}"; run the app with "faasport dev" or through an adapter entry (toLambda, registerAzure, registerGcp)`,
      );
    }
    return t;
  }
}
