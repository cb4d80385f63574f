import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { RuntimeApiServer, type InvocationResult } from './runtime-api-server.js';

const require = createRequire(import.meta.url);

/** The runtime interface client's entry (aws-lambda-ric v4 reads _HANDLER and LAMBDA_TASK_ROOT). */
export function ricEntry(): string {
  return join(dirname(require.resolve('aws-lambda-ric/package.json')), 'index.mjs');
}

export interface LambdaProcess {
  invoke(event: unknown, options?: { timeoutMs?: number; traceId?: string }): Promise<InvocationResult>;
  /** Lines the function wrote to stdout/stderr so far. */
  output(): string[];
  stop(): Promise<void>;
}

/**
 * Runs one function of a built bundle the way Lambda does: a process running AWS's runtime
 * interface client against a Runtime API that this test owns.
 */
export async function startLambdaProcess(taskRoot: string, functionName: string, env: Record<string, string> = {}): Promise<LambdaProcess> {
  const api = new RuntimeApiServer(`arn:aws:lambda:us-east-1:123456789012:function:${functionName}`);
  const address = await api.listen();
  const lines: string[] = [];
  const child: ChildProcess = spawn(process.execPath, [ricEntry()], {
    cwd: taskRoot,
    env: {
      PATH: process.env.PATH ?? '',
      AWS_LAMBDA_RUNTIME_API: address,
      _HANDLER: `index.${functionName}`,
      LAMBDA_TASK_ROOT: taskRoot,
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]test',
      AWS_REGION: 'us-east-1',
      NODE_ENV: 'production',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer): void => void lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    invoke: (event, options) =>
      Promise.race([
        api.invoke(event, options),
        exited.then(() => Promise.reject(new Error(`runtime for ${functionName} exited:\n${lines.join('\n')}`))),
      ]),
    output: () => lines,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await api.close();
    },
  };
}
