import { LambdaRuntimeHost } from '../dev/lambda-runtime-host.js';

/** What the function answered to one invocation. */
export type InvocationResult = { ok: true; body: unknown } | { ok: false; body: { errorType: string; errorMessage: string; stackTrace?: string[] } };

export interface LambdaProcess {
  invoke(event: unknown): Promise<InvocationResult>;
  /** Lines the function wrote to stdout/stderr so far. */
  output(): string[];
  stop(): Promise<void>;
}

/**
 * Runs one function of a built bundle the way Lambda does, on the adapter's own
 * {@link LambdaRuntimeHost}: AWS's runtime interface client against a local Runtime API.
 */
export async function startLambdaProcess(taskRoot: string, functionName: string, env: Record<string, string> = {}): Promise<LambdaProcess> {
  const lines: string[] = [];
  const host = new LambdaRuntimeHost({
    functionName,
    functionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    taskRoot,
    handler: `index.${functionName}`,
    timeoutMs: 30_000,
    memoryMb: 256,
    env: { NODE_ENV: 'production', ...env },
    onLine: (line) => lines.push(line),
  });
  return {
    async invoke(event) {
      const result = await host.invoke(JSON.stringify(event));
      return result.ok ? { ok: true, body: JSON.parse(result.payload) as unknown } : { ok: false, body: result.error };
    },
    output: () => lines,
    stop: () => host.stop(),
  };
}
