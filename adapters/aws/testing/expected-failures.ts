import type { ExpectedFailure } from 'faasport';

/** Cases AWS answers itself, before the function runs. */
export const expectedFailures: readonly ExpectedFailure[] = [
  {
    test: 'http > a body over the platform limit gets 413 with a typed error',
    reason:
      'Lambda refuses an invocation payload over 6 MB before the function runs; the caller gets API Gateway\'s own 413 {"message":"Request Entity Too Large"}',
  },
  {
    test: 'event > a CloudEvent keeps its datacontenttype exactly, parameters included',
    reason:
      'an EventBridge event has no content type (its detail is always JSON), so the event arrives as application/json without the parameters it was sent with (charset=utf-8); on AWS, put anything the consumer needs to know about the data inside the data',
  },
];

/** Security cases (conformance/security) the aws adapter is known to fail: none. */
export const securityExpectedFailures: readonly { test: string; reason: string; place?: string; production?: boolean }[] = [];
