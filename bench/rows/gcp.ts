import { execFileSync } from 'node:child_process';
import { CLI, FUNCTIONS_FRAMEWORK, HELLO_APP, ROOT, workDir } from '../lib/paths.js';
import { freePort, startChild, type ChildServer } from '../lib/child-server.js';
import { requestsPerSecond } from '../lib/load.js';
import { plainFunctionsFrameworkHello } from '../lib/plain-function.js';
import type { BenchRow } from '../row.js';

let servers: { built: ChildServer; ff: ChildServer } | undefined;

/** Both served by the same functions-framework CLI, each on its own port, as `npm start` in the built folder does. */
async function start(): Promise<{ built: ChildServer; ff: ChildServer }> {
  const out = workDir('gcp-hello');
  execFileSync(process.execPath, ['--import', 'tsx', CLI, 'build', HELLO_APP, '--target', 'gcp', '--out', out], { cwd: ROOT, stdio: 'ignore' });
  const serve = async (source: string): Promise<ChildServer> => {
    const port = await freePort();
    return startChild([FUNCTIONS_FRAMEWORK, '--target=hello', `--source=${source}`, `--port=${port}`], {
      ready: /URL: http/,
      port,
      cwd: ROOT,
      env: { NODE_ENV: 'development' },
    });
  };
  return { built: await serve(out), ff: await serve(plainFunctionsFrameworkHello()) };
}

export const rows: BenchRow[] = [
  {
    id: 'gcp-hello-rps',
    what: 'gcp built artifact req/s, hello, 10 keep-alive connections, served by functions-framework',
    unit: 'req/s',
    better: 'higher',
    subject: 'faasport build --target gcp',
    peer: 'plain functions-framework',
    goal: { ratio: 0.9, text: '≥ 0.9x plain functions-framework' },
    note: "per request the built function makes a real undici Request (Headers, URL) from the Express request and runs a faasport invocation (context, deadline timer, AsyncLocalStorage) on top of the framework's own work; the answer is already written in one write. A lazy Request over the Express request, as the AWS adapter has, is the next step.",
    async measure(round) {
      servers ??= await start();
      const order = round % 2 === 0 ? (['built', 'ff'] as const) : (['ff', 'built'] as const);
      const value: Record<string, number> = {};
      for (const name of order)
        value[name === 'ff' ? 'plain functions-framework' : 'faasport build --target gcp'] = await requestsPerSecond(servers[name].port, '/hello', {
          durationMs: 2000,
        });
      return value;
    },
    async dispose() {
      await Promise.all([servers?.built.stop(), servers?.ff.stop()]);
      servers = undefined;
    },
  },
];
