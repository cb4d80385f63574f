import { describe, expect, it } from 'vitest';
import * as entry from './index.js';
import { caseGroups, cases, GROUP_TRIGGERS } from './cases.js';
import { testId } from './run.js';

// Case ids are API: a third party's expected failures and the README matrix name them. This
// list changes only on purpose (a new case is appended to its group here too); it was taken
// from the single cases file before the split into one file per group.
const PINNED_IDS = [
  'http > method GET reaches the handler',
  'http > method POST reaches the handler',
  'http > method PUT reaches the handler',
  'http > method PATCH reaches the handler',
  'http > method DELETE reaches the handler',
  'http > route params are decoded onto ctx.params',
  'http > repeated query keys keep every value in order, decoded once',
  'http > repeated request headers arrive combined in order',
  'http > request cookies reach the handler',
  'http > response Set-Cookie headers stay separate (dates with commas intact)',
  'http > unicode JSON body round-trips',
  'http > binary request body arrives byte for byte',
  'http > binary response body arrives byte for byte',
  'http > status 200 is returned as is',
  'http > status 201 is returned as is',
  'http > status 204 is returned as is',
  'http > status 301 is returned as is',
  'http > status 400 is returned as is',
  'http > status 404 is returned as is',
  'http > status 418 is returned as is',
  'http > status 503 is returned as is',
  'http > a body near the platform limit is accepted',
  'http > a body over the platform limit gets 413 with a typed error',
  'http > unknown route answers 404 JSON',
  'queue > a sent message is consumed once with attempt 1 and its attributes',
  'queue > sendBatch delivers every message',
  'queue > a failing message is retried and attempts count up',
  'queue > a poison message is dead-lettered after exactly maxAttempts (5) with the envelope',
  'queue > a message over the platform limit is refused with PAYLOAD_TOO_LARGE and nothing is sent',
  'queue > FIFO keeps order within a group, even across a retry',
  'queue > a delayed message is not delivered before its delay',
  "queue > a message the platform's own producers sent has one body rule: UTF-8 JSON parsed, other text a string, other bytes as bytes",
  'topic > every subscriber gets every published message',
  'schedule > an on-time tick is not past due',
  'schedule > a late tick is past due and keeps its scheduled time',
  'event > a storage CloudEvent arrives with its attributes and JSON data',
  'event > a CloudEvent with JSON data keeps its datacontenttype',
  "event > a storage notification in the platform's own format arrives as a CloudEvent naming bucket and object",
  'event > a CloudEvent keeps its datacontenttype exactly, parameters included',
  'context > context fields are filled and the provider is the adapter',
  'context > coldStart is true at most once and invocation ids are unique',
  'context > coldStart is true on the first invocation of a fresh runtime, then false',
  'context > a W3C traceparent on the request becomes the trace id',
  'context > the trace id of an HTTP request reaches the queue consumer it enqueued',
  'context > log lines carry function name, invocation id and trace id',
  'context > the deadline aborts ctx.signal and the request fails with 504',
  'errors > a thrown error answers 500 JSON without stack or message in production',
  'errors > a thrown error answers 500 JSON with the message outside production',
  'errors > a handler failure is logged with the invocation id, not the request',
];

describe('conformance cases', () => {
  it('keep their ids and their order', () => {
    expect(cases.map(testId)).toEqual(PINNED_IDS);
  });

  it('are the groups concatenated in suite order, each group holding only its own cases', () => {
    expect(Object.keys(caseGroups)).toEqual(Object.keys(GROUP_TRIGGERS));
    expect(cases).toEqual(Object.values(caseGroups).flat());
    for (const [group, list] of Object.entries(caseGroups)) {
      expect(list.length, group).toBeGreaterThan(0);
      expect(new Set(list.map((c) => c.group)), group).toEqual(new Set([group]));
    }
  });

  it('export each group from the conformance entry', () => {
    expect([entry.httpCases, entry.queueCases, entry.topicCases, entry.scheduleCases, entry.eventCases, entry.contextCases, entry.errorsCases]).toEqual(
      Object.values(caseGroups),
    );
  });
});
