import { FaasportError } from 'faasport';

/** Every event shape the AWS adapter understands. */
export type AwsEventKind = 'apigw-v1' | 'apigw-v2' | 'function-url' | 'alb' | 'sqs' | 'sns' | 'eventbridge' | 's3' | 'dynamodb' | 'kinesis';

const RECORD_SOURCES: Record<string, AwsEventKind> = {
  'aws:sqs': 'sqs',
  'aws:sns': 'sns',
  'aws:s3': 's3',
  'aws:dynamodb': 'dynamodb',
  'aws:kinesis': 'kinesis',
};

type Loose = Record<string, unknown>;

/**
 * Names the event source from the event's shape alone (AWS sends no type tag); undefined
 * when it is none of the known ones. Cheap: reads a few top-level fields.
 *
 * @example
 * ```ts
 * import { detectEvent } from 'faasport/aws';
 * detectEvent({ Records: [{ eventSource: 'aws:sqs' }] }); // 'sqs'
 * ```
 */
export function detectEvent(event: unknown): AwsEventKind | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const e = event as Loose;
  const records = e.Records;
  if (Array.isArray(records)) {
    const first = records[0] as Loose | undefined;
    const source = first && (first.eventSource ?? first.EventSource);
    return typeof source === 'string' ? RECORD_SOURCES[source] : undefined;
  }
  const rc = e.requestContext as Loose | undefined;
  if (typeof rc === 'object' && rc !== null) {
    if (typeof rc.elb === 'object' && rc.elb !== null) return 'alb';
    if (e.version === '2.0' && typeof rc.http === 'object' && rc.http !== null && typeof e.rawPath === 'string') {
      return typeof rc.domainName === 'string' && rc.domainName.includes('.lambda-url.') ? 'function-url' : 'apigw-v2';
    }
    if (typeof e.httpMethod === 'string' && typeof e.path === 'string') return 'apigw-v1';
    return undefined;
  }
  if (typeof e['detail-type'] === 'string' && typeof e.source === 'string' && 'detail' in e) return 'eventbridge';
  return undefined;
}

const SAFE_TOKEN = /^[\w:.-]{1,64}$/;

/**
 * What an unrecognised event looked like, safe to log: its top-level keys and, for a
 * Records batch, the first record's eventSource. Never values.
 */
export function describeEvent(event: unknown): string {
  if (event === null) return 'null';
  if (Array.isArray(event)) return `an array of ${event.length}`;
  if (typeof event !== 'object') return `a ${typeof event}`;
  const keys = Object.keys(event as object);
  const shown = keys.slice(0, 12).map((k) => (SAFE_TOKEN.test(k) ? k : '?'));
  let text = `top-level keys [${shown.join(', ')}${keys.length > shown.length ? ', ...' : ''}]`;
  const records = (event as Loose).Records;
  if (Array.isArray(records)) {
    const first = records[0] as Loose | undefined;
    const source = first && (first.eventSource ?? first.EventSource);
    text +=
      records.length === 0
        ? ', Records is empty'
        : `, Records[0].eventSource ${typeof source === 'string' && SAFE_TOKEN.test(source) ? JSON.stringify(source) : 'missing'}`;
  }
  return text;
}

/** EVENT_UNRECOGNISED for a function that received an event it cannot take. */
export function unrecognisedEvent(functionName: string, accepts: string, event: unknown, kind?: AwsEventKind): FaasportError {
  const saw = kind ? `a ${kind} event` : `an event with ${describeEvent(event)}`;
  return new FaasportError(
    'EVENT_UNRECOGNISED',
    `aws function "${functionName}": received ${saw}; it accepts ${accepts}. Check the trigger wired to this Lambda function`,
    { status: 400, details: { functionName, kind, shape: describeEvent(event) } },
  );
}
