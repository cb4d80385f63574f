/**
 * Structural shapes of the events and context AWS Lambda hands a function. Only the fields
 * faasport reads are typed; everything else stays reachable through `ctx.native`.
 * Field names follow the AWS documentation (see conformance/fixtures/SHAPES.md).
 */

/** The Lambda context object (Node.js runtime). */
export interface LambdaContextLike {
  readonly awsRequestId: string;
  readonly functionName?: string;
  readonly invokedFunctionArn?: string;
  /** This invocation's X-Ray trace header (aws-lambda-ric sets it; with several invocations per process it is the only per-invocation copy). */
  readonly xRayTraceId?: string;
  getRemainingTimeInMillis(): number;
  callbackWaitsForEmptyEventLoop?: boolean;
}

/** What a faasport function receives in `ctx.native` on AWS. */
export interface AwsNative<E = unknown> {
  readonly event: E;
  readonly context: LambdaContextLike | undefined;
}

/** An async Lambda handler as the Node.js runtime calls it. */
export type LambdaHandler<E = unknown, R = unknown> = (event: E, context?: LambdaContextLike) => Promise<R>;

type StringMap = Record<string, string | undefined> | null | undefined;
type MultiStringMap = Record<string, string[] | undefined> | null | undefined;

/** API Gateway REST API, payload format 1.0. */
export interface ApiGatewayV1EventLike {
  version?: string;
  resource: string;
  path: string;
  httpMethod: string;
  headers?: StringMap;
  multiValueHeaders?: MultiStringMap;
  queryStringParameters?: StringMap;
  multiValueQueryStringParameters?: MultiStringMap;
  pathParameters?: StringMap;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext: {
    requestId?: string;
    stage?: string;
    domainName?: string;
    requestTimeEpoch?: number;
    identity?: { sourceIp?: string | null } | null;
    [key: string]: unknown;
  };
}

/** API Gateway HTTP API payload format 2.0, also sent by Lambda Function URLs. */
export interface ApiGatewayV2EventLike {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString?: string;
  cookies?: string[];
  headers?: StringMap;
  queryStringParameters?: StringMap;
  pathParameters?: StringMap;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext: {
    requestId?: string;
    stage?: string;
    domainName?: string;
    timeEpoch?: number;
    http: { method: string; path?: string; sourceIp?: string; protocol?: string };
    [key: string]: unknown;
  };
}

/** Application Load Balancer target request (single- or multi-value header mode). */
export interface AlbEventLike {
  httpMethod: string;
  path: string;
  headers?: StringMap;
  multiValueHeaders?: MultiStringMap;
  queryStringParameters?: StringMap;
  multiValueQueryStringParameters?: MultiStringMap;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext: { elb: { targetGroupArn: string } };
}

/** API Gateway v1 / ALB result. */
export interface ProxyResultV1 {
  statusCode: number;
  statusDescription?: string;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body: string;
  isBase64Encoded: boolean;
}

/** API Gateway v2 / Function URL result. */
export interface ProxyResultV2 {
  statusCode: number;
  headers?: Record<string, string>;
  cookies?: string[];
  body: string;
  isBase64Encoded: boolean;
}

export interface SqsMessageAttributeLike {
  dataType: string;
  stringValue?: string | null;
  binaryValue?: string | null;
  stringListValues?: string[];
  binaryListValues?: string[];
}

export interface SqsRecordLike {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: {
    ApproximateReceiveCount?: string;
    SentTimestamp?: string;
    ApproximateFirstReceiveTimestamp?: string;
    MessageGroupId?: string;
    MessageDeduplicationId?: string;
    AWSTraceHeader?: string;
    [key: string]: string | undefined;
  };
  messageAttributes?: Record<string, SqsMessageAttributeLike> | null;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion?: string;
}

export interface SqsEventLike {
  Records: SqsRecordLike[];
}

export interface SnsMessageAttributeLike {
  Type: string;
  Value: string;
}

export interface SnsRecordLike {
  EventSource: 'aws:sns';
  EventSubscriptionArn?: string;
  Sns: {
    Type?: string;
    MessageId: string;
    TopicArn: string;
    Subject?: string | null;
    Message: string;
    Timestamp: string;
    MessageAttributes?: Record<string, SnsMessageAttributeLike> | null;
  };
}

export interface SnsEventLike {
  Records: SnsRecordLike[];
}

/** An SNS notification as an SQS body holds it (raw message delivery off). */
export interface SnsEnvelopeLike {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Subject?: string | null;
  Message: string;
  Timestamp: string;
  MessageAttributes?: Record<string, SnsMessageAttributeLike> | null;
}

export interface EventBridgeEventLike {
  version?: string;
  id: string;
  'detail-type': string;
  source: string;
  account?: string;
  time: string;
  region?: string;
  resources?: string[];
  detail: unknown;
  'replay-name'?: string;
}

export interface S3RecordLike {
  eventSource: 'aws:s3';
  eventName: string;
  eventTime: string;
  awsRegion?: string;
  responseElements?: Record<string, string>;
  s3: {
    bucket: { name: string; arn?: string };
    object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer?: string };
  };
}

export interface DynamoDbRecordLike {
  eventID: string;
  eventName: string;
  eventSource: 'aws:dynamodb';
  eventSourceARN?: string;
  awsRegion?: string;
  dynamodb: {
    ApproximateCreationDateTime?: number;
    SequenceNumber: string;
    Keys?: Record<string, unknown>;
    [key: string]: unknown;
  };
}

export interface KinesisRecordLike {
  eventID: string;
  eventSource: 'aws:kinesis';
  eventSourceARN?: string;
  awsRegion?: string;
  kinesis: { data: string; partitionKey: string; sequenceNumber: string; approximateArrivalTimestamp?: number };
}

/** `{ batchItemFailures }`: the partial-batch answer for SQS, Kinesis and DynamoDB Streams. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}
