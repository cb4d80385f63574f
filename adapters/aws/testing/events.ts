import type { AlbEventLike, ApiGatewayV1EventLike, ApiGatewayV2EventLike, LambdaContextLike, SqsEventLike, SqsRecordLike } from '../runtime/types.js';
import { loadFixture } from './fixtures.js';

/** Typed factories over the vendor fixtures: a real event with the fields a test cares about replaced. */
export function apiGatewayV2Event(overrides: Partial<ApiGatewayV2EventLike> = {}): ApiGatewayV2EventLike {
  return { ...loadFixture<ApiGatewayV2EventLike>('apigw-http/minimal.json'), ...overrides };
}

export function functionUrlEvent(overrides: Partial<ApiGatewayV2EventLike> = {}): ApiGatewayV2EventLike {
  return { ...loadFixture<ApiGatewayV2EventLike>('lambda-url/captured-get-no-body.json'), ...overrides };
}

export function apiGatewayV1Event(overrides: Partial<ApiGatewayV1EventLike> = {}): ApiGatewayV1EventLike {
  return { ...loadFixture<ApiGatewayV1EventLike>('apigw-rest/repeated-header-and-query.json'), ...overrides };
}

export function albEvent(mode: 'single' | 'multi', overrides: Partial<AlbEventLike> = {}): AlbEventLike {
  const file = mode === 'single' ? 'alb/single-value-headers.json' : 'alb/multi-value-headers.json';
  return { ...loadFixture<AlbEventLike>(file), ...overrides };
}

export function sqsRecord(overrides: Partial<SqsRecordLike> & { receiveCount?: number; groupId?: string } = {}): SqsRecordLike {
  const { receiveCount, groupId, ...rest } = overrides;
  const base = loadFixture<SqsEventLike>('sqs/batch-two-messages.json').Records[0]!;
  return {
    ...base,
    ...rest,
    attributes: {
      ...base.attributes,
      ...(receiveCount !== undefined ? { ApproximateReceiveCount: String(receiveCount) } : {}),
      ...(groupId !== undefined ? { MessageGroupId: groupId } : {}),
      ...rest.attributes,
    },
  };
}

export function lambdaContext(remainingMs = 3000, awsRequestId = 'req-1'): LambdaContextLike {
  const deadline = Date.now() + remainingMs;
  return {
    awsRequestId,
    functionName: 'fn',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:fn',
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}
