/**
 * The CloudEvents vocabulary this adapter speaks: event types, extension attributes and
 * paths. Extension names follow the CloudEvents rule (lower-case letters and digits, at
 * most 20 characters), so they travel as `ce-<name>` headers in binary mode.
 */

/** A message on a queue (a Knative channel). */
export const QUEUE_MESSAGE_TYPE = 'dev.faasport.queue.message';
/** A message on a topic (a Knative broker with one trigger per subscriber). */
export const TOPIC_MESSAGE_TYPE = 'dev.faasport.topic.message';
/** What a Knative PingSource sends on each schedule firing. */
export const PING_TYPE = 'dev.knative.sources.ping';
/** Types the app's own plumbing uses; event functions never receive them. */
export const INTERNAL_TYPE_PREFIX = 'dev.faasport.';

/** Names the queue or topic a message belongs to. */
export const QUEUE_EXTENSION = 'faasportqueue';
/** Delivery attempt, starting at 1, stamped by the channel or broker on every delivery. */
export const ATTEMPT_EXTENSION = 'faasportattempt';
/** The message's user attributes as a JSON object (their names are not valid extension names). */
export const ATTRIBUTES_EXTENSION = 'faasportattrs';
/** W3C trace context of the start of the transmission (CloudEvents distributed tracing extension). */
export const TRACEPARENT_EXTENSION = 'traceparent';

/** Knative's dead-letter extensions: where delivery failed, the last status and (base64, ≤1024 bytes) body. */
export const ERROR_DEST_EXTENSION = 'knativeerrordest';
export const ERROR_CODE_EXTENSION = 'knativeerrorcode';
export const ERROR_DATA_EXTENSION = 'knativeerrordata';
export const ERROR_DATA_MAX_BYTES = 1024;

/**
 * Where a subscription delivers: the Knative Service URL plus this path and the function name
 * (a Destination `{ ref: <service>, uri: /_faasport/deliver/<function> }`).
 */
export const DELIVER_PATH = '/_faasport/deliver/';
/** The broker ingress the service exposes: CloudEvents POSTed here are routed by triggers. */
export const INGRESS_PATH = '/';
