import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { main } from '../../../src/cli.js';
import { loadFixture } from '../testing/fixtures.js';
import type { ApiGatewayV2EventLike } from '../runtime/types.js';

// `faasport dev` as a Lambda endpoint: @aws-sdk/client-lambda invokes the app's functions
// through the dev server, and, with --lambda-control-api, `faasport deploy --target aws
// --endpoint-url <dev server>` deploys the built shop to it (authenticated by the per-run
// access key id the server prints), where it runs under aws-lambda-ric.
const root = fileURLToPath(new URL('../../..', import.meta.url));
const work = `${root}.faasport/dev-deploy-${randomUUID()}`;
let credentials = { accessKeyId: '', secretAccessKey: `secret-${randomUUID()}` };
let child: ChildProcess;
let base = '';
let lambda: LambdaClient;
const output: string[] = [];

function v2Event(path: string): ApiGatewayV2EventLike {
  const fixture = loadFixture<ApiGatewayV2EventLike>('apigw-http/minimal.json');
  return {
    ...fixture,
    rawPath: path,
    rawQueryString: '',
    requestContext: { ...fixture.requestContext, http: { ...fixture.requestContext.http, method: 'GET', path } },
  };
}

async function invoke(name: string, event: unknown): Promise<{ error?: string; payload: Record<string, unknown> }> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)) }));
  return {
    ...(out.FunctionError ? { error: out.FunctionError } : {}),
    payload: JSON.parse(Buffer.from(out.Payload!).toString('utf8')) as Record<string, unknown>,
  };
}

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'dev', 'examples/shop/app.ts', '--port', '0', '--no-schedules', '--lambda-control-api'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`faasport dev did not start:\n${output.join('')}`)), 30_000);
    child.stdout!.on('data', (c: Buffer) => {
      output.push(c.toString());
      const m = /listening on (http:\/\/\S+)[\s\S]*AWS_ACCESS_KEY_ID=(\S+)/.exec(output.join(''));
      if (m) {
        clearTimeout(timer);
        credentials = { ...credentials, accessKeyId: m[2]! };
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
  });
  lambda = new LambdaClient({ endpoint: base, region: 'us-east-1', credentials });
}, 40_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  lambda?.destroy();
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await rm(work, { recursive: true, force: true });
});

describe('faasport dev speaks the Lambda API', () => {
  test('InvokeCommand runs an app function in the dev server', async () => {
    const { error, payload } = await invoke('hello', v2Event('/hello/ada'));
    expect(error).toBeUndefined();
    expect(payload.statusCode).toBe(200);
    expect(JSON.parse(payload.body as string)).toEqual({ hello: 'ada' });
  });

  test('faasport deploy --target aws --endpoint-url <dev server> deploys the shop, which then answers', async () => {
    const lines: string[] = [];
    const errors: string[] = [];
    // The standard credential chain reads the environment, as for any AWS tool.
    vi.stubEnv('AWS_ACCESS_KEY_ID', credentials.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey);
    const code = await main(
      [
        'deploy',
        'examples/shop/app.ts',
        '--target',
        'aws',
        '--out',
        `${work}/dist`,
        '--endpoint-url',
        base,
        '--region',
        'us-east-1',
        '--role',
        'arn:aws:iam::000000000000:role/{function}',
        '--prefix',
        'deployed',
      ],
      {
        cwd: root,
        env: { ...process.env, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey },
        output: { line: (l) => lines.push(l), error: (l) => errors.push(l) },
      },
    );
    expect(errors).toEqual([]);
    expect(code).toBe(0);
    expect(lines.join('\n')).not.toContain(credentials.secretAccessKey);
    const { error, payload } = await invoke('deployed-hello', v2Event('/hello/grace'));
    expect(error).toBeUndefined();
    expect(JSON.parse(payload.body as string)).toEqual({ hello: 'grace' });
  }, 120_000);
});
