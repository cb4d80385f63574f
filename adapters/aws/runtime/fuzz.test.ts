import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS, fuzzDecoder, mutatedEvent, readDeep, readRequest, vendorFixture } from '../../../conformance/security/fuzz.js';
import { decodeAlb } from './decode-alb.js';
import { decodeApiGatewayV1 } from './decode-api-gateway-v1.js';
import { decodeApiGatewayV2 } from './decode-api-gateway-v2.js';
import { decodeDynamoDbRecord } from './decode-dynamodb.js';
import { decodeEventBridge, decodeScheduledEvent } from './decode-eventbridge.js';
import { decodeKinesisRecord } from './decode-kinesis.js';
import { decodeS3Record } from './decode-s3.js';
import { decodeSnsRecord } from './decode-sns.js';
import { decodeSqsRecord } from './decode-sqs.js';
import { toLambda } from './to-lambda.js';
import { createApp, isFaasportError } from 'faasport';
import { AwsProducer } from './producer.js';

const fixtures = (folder: string): unknown[] =>
  readdirSync(new URL(`../../../conformance/fixtures/aws/${folder}/`, import.meta.url))
    .filter((f) => f.endsWith('.json'))
    .map((f) => vendorFixture(`aws/${folder}/${f}`));
/** Record-shaped events are fuzzed one record at a time, as the handlers decode them (records of that source only). */
const records = (folder: string, source: string): unknown[] =>
  fixtures(folder)
    .flatMap((e) => (e as { Records?: unknown[] }).Records ?? [])
    .filter((r) => ((r as { eventSource?: string; EventSource?: string }).eventSource ?? (r as { EventSource?: string }).EventSource) === source);

const decoders: readonly { name: string; seeds: () => unknown[]; decode: (event: unknown) => unknown }[] = [
  { name: 'decodeApiGatewayV1', seeds: () => fixtures('apigw-rest'), decode: (e) => readRequest(decodeApiGatewayV1(e as never)) },
  {
    name: 'decodeApiGatewayV2',
    seeds: () => [...fixtures('apigw-http'), ...fixtures('lambda-url')],
    decode: (e) => readRequest(decodeApiGatewayV2(e as never)),
  },
  { name: 'decodeAlb', seeds: () => fixtures('alb'), decode: (e) => readRequest(decodeAlb(e as never)) },
  { name: 'decodeSqsRecord', seeds: () => records('sqs', 'aws:sqs'), decode: (e) => readDeep(decodeSqsRecord(e as never)) },
  { name: 'decodeSnsRecord', seeds: () => records('sns', 'aws:sns'), decode: (e) => readDeep(decodeSnsRecord(e as never)) },
  { name: 'decodeEventBridge', seeds: () => fixtures('eventbridge'), decode: (e) => readDeep(decodeEventBridge(e as never)) },
  { name: 'decodeScheduledEvent', seeds: () => fixtures('eventbridge'), decode: (e) => readDeep(decodeScheduledEvent(e as never)) },
  { name: 'decodeS3Record', seeds: () => records('s3', 'aws:s3'), decode: (e) => readDeep(decodeS3Record(e as never)) },
  { name: 'decodeDynamoDbRecord', seeds: () => records('dynamodb-streams', 'aws:dynamodb'), decode: (e) => readDeep(decodeDynamoDbRecord(e as never)) },
  { name: 'decodeKinesisRecord', seeds: () => records('kinesis', 'aws:kinesis'), decode: (e) => readDeep(decodeKinesisRecord(e as never)) },
];

/**
 * Known gaps, as data with their reason (pollution and unhandled rejections are still checked
 * on every run); an entry must go once its decoder refuses every bad input with a path.
 */
const KNOWN_UNTYPED: Readonly<Record<string, string>> = {};

describe('aws decoders under fuzzing (vendor fixtures, mutated)', () => {
  it.each(decoders)(
    '$name: decodes or refuses with a typed error naming the field; never pollutes, never rejects unhandled',
    async ({ name, seeds, decode }) => {
      const known = KNOWN_UNTYPED[name];
      const figures = await fuzzDecoder(name, mutatedEvent(seeds()), decode, known ? { knownUntyped: known } : {});
      expect(figures.runs).toBe(FUZZ_RUNS);
    },
    300_000,
  );
});

/**
 * The entry points Lambda calls, one per trigger kind, over the same mutated events. A
 * handler may answer, or reject with a FaasportError (EVENT_UNRECOGNISED for a shape it
 * does not take); any other rejection is what Lambda would log as a crash. Consumers
 * succeed, so no retry or dead-letter call leaves the process.
 */
function lambdaHandlers() {
  const app = createApp('fuzz');
  app.http('api', { method: '*', route: '/*' }, async (req) => Response.json({ length: (await req.text()).length }));
  app.queue('jobs').consume('work', () => {});
  app.topic('news').subscribe('reader', () => {});
  app.event('onEvent', {}, () => {});
  app.schedule('tick', { cron: '0 * * * *' }, () => {});
  const handlers = toLambda(app, { production: true, logSink: () => {}, producer: new AwsProducer({ region: 'us-east-1', accountId: '000000000000' }) });
  const context = {
    awsRequestId: 'fuzz',
    functionName: 'fuzz',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fuzz',
    getRemainingTimeInMillis: () => 30_000,
  };
  return (name: string) =>
    async (event: unknown): Promise<void> => {
      try {
        await (handlers[name] as (e: unknown, c: unknown) => Promise<unknown>)(event, context);
      } catch (err) {
        // A typed refusal is an answer; only untyped errors count against the handler.
        if (!isFaasportError(err)) throw err;
      }
    };
}

/** Known gaps of a handler, as data with their reason (none today); an entry must go once its handler answers every input. */
const entries: readonly { name: string; fn: string; seeds: () => unknown[]; known?: string }[] = [
  {
    name: 'http handler (API Gateway v1, v2, Function URL, ALB)',
    fn: 'api',
    seeds: () => ['apigw-rest', 'apigw-http', 'lambda-url', 'alb'].flatMap((f) => fixtures(f)),
  },
  { name: 'queue handler (SQS batch)', fn: 'work', seeds: () => fixtures('sqs') },
  { name: 'topic handler (SNS)', fn: 'reader', seeds: () => fixtures('sns') },
  {
    name: 'event handler (EventBridge, S3, DynamoDB, Kinesis)',
    fn: 'onEvent',
    seeds: () => ['eventbridge', 's3', 'dynamodb-streams', 'kinesis'].flatMap((f) => fixtures(f)),
  },
  { name: 'schedule handler (EventBridge rule)', fn: 'tick', seeds: () => fixtures('eventbridge') },
];

describe('aws Lambda handlers under fuzzing (what a strange event does end to end)', () => {
  const invoke = lambdaHandlers();
  it.each(entries)(
    '$name: answers or refuses with a FaasportError; never pollutes, never rejects unhandled',
    async ({ name, fn, seeds, known }) => {
      const figures = await fuzzDecoder(name, mutatedEvent(seeds()), invoke(fn), known ? { knownUntyped: known } : {});
      expect(figures.runs).toBe(FUZZ_RUNS);
    },
    300_000,
  );
});
