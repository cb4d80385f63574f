import { startFauxqs } from 'fauxqs';

export type Fauxqs = Awaited<ReturnType<typeof startFauxqs>>;

/** A local SQS/SNS-compatible server on a free port of 127.0.0.1. */
export function startLocalSqs(): Promise<Fauxqs> {
  return startFauxqs({ port: 0, host: '127.0.0.1', logger: false, defaultRegion: 'us-east-1' });
}

export const TEST_CLIENT_CONFIG = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
