import { createRequire } from 'node:module';
import type { PubsubOutgoingMessage, PubsubPublisher } from '../runtime/pubsub-publisher.js';

/** A running gRPC stand-in: `host` is what PUBSUB_EMULATOR_HOST takes. */
export interface PubsubGrpcStandIn {
  readonly host: string;
  stop(): Promise<void>;
}

interface PublishCall {
  readonly request: { topic: string; messages: { data?: Uint8Array; attributes?: Record<string, string>; orderingKey?: string }[] };
}
/** The part of google-gax (and the grpc-js it carries) the stand-in uses. */
interface Gax {
  GrpcClient: new () => { loadProtoJSON(json: unknown): unknown };
  grpc: {
    Server: new () => {
      addService(service: unknown, handlers: Record<string, (call: PublishCall, callback: PublishCallback) => void>): void;
      bindAsync(address: string, credentials: unknown, done: (err: Error | null, port: number) => void): void;
      tryShutdown(done: () => void): void;
      forceShutdown(): void;
    };
    ServerCredentials: { createInsecure(): unknown };
    status: { INTERNAL: number };
  };
}
type PublishCallback = (error: { code: number; details: string } | null, response?: { messageIds: string[] }) => void;

/**
 * TEST DOUBLE for Pub/Sub's publish API over gRPC, on 127.0.0.1: what the real
 * `@google-cloud/pubsub` client (inside a built function, say) talks to when
 * PUBSUB_EMULATOR_HOST points here, because Google's emulator needs the Cloud SDK and Java.
 * It serves `google.pubsub.v1.Publisher/Publish` only, from the client's own protocol
 * definitions, and hands every message to `target` (a `PubsubStandIn` pushes it to its
 * subscriptions or keeps it on a topic without any). Other methods answer UNIMPLEMENTED.
 */
export async function startPubsubGrpcStandIn(target: PubsubPublisher): Promise<PubsubGrpcStandIn> {
  // The gRPC stack and protocol files the Pub/Sub client itself ships with (google-gax is its dependency).
  const fromPubsub = createRequire(createRequire(import.meta.url).resolve('@google-cloud/pubsub'));
  const gax = fromPubsub('google-gax') as Gax;
  const definitions = new gax.GrpcClient().loadProtoJSON(fromPubsub('../protos/protos.json')) as {
    google: { pubsub: { v1: { Publisher: { service: unknown } } } };
  };
  const server = new gax.grpc.Server();
  server.addService(definitions.google.pubsub.v1.Publisher.service, {
    Publish(call: PublishCall, callback: PublishCallback) {
      const topic = call.request.topic.replace(/^projects\/[^/]+\/topics\//, '');
      const messages: PubsubOutgoingMessage[] = call.request.messages.map((m) => ({
        data: new Uint8Array(m.data ?? new Uint8Array()),
        attributes: { ...m.attributes },
        ...(m.orderingKey ? { orderingKey: m.orderingKey } : {}),
      }));
      target.publish(topic, messages).then(
        (messageIds) => callback(null, { messageIds }),
        (err: unknown) => callback({ code: gax.grpc.status.INTERNAL, details: String(err) }),
      );
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', gax.grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return {
    host: `127.0.0.1:${port}`,
    stop: () => shutdownGrpcServer(server),
  };
}

/**
 * Stops a gRPC server: gracefully, but open client channels would hold that up, so after a
 * second it is forced. The Pub/Sub stand-ins (publish here, pull in the container target) share it.
 */
export function shutdownGrpcServer(server: { tryShutdown(done: () => void): void; forceShutdown(): void }): Promise<void> {
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, 1_000);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
