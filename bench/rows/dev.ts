import { CLI, FUNCTIONS_FRAMEWORK, HELLO_APP, ROOT } from '../lib/paths.js';
import { freePort, startChild, type ChildServer } from '../lib/child-server.js';
import { requestsPerSecond } from '../lib/load.js';
import { plainFunctionsFrameworkHello } from '../lib/plain-function.js';
import type { BenchRow } from '../row.js';

let servers: { faasport: ChildServer; ff: ChildServer } | undefined;

async function start(): Promise<{ faasport: ChildServer; ff: ChildServer }> {
  const faasport = await startChild(['--import', 'tsx', CLI, 'dev', HELLO_APP, '--port', '0', '--no-schedules'], {
    ready: /listening on http:\/\/127\.0\.0\.1:(\d+)/,
    cwd: ROOT,
    env: { NODE_ENV: 'development' },
  });
  const port = await freePort();
  const ff = await startChild([FUNCTIONS_FRAMEWORK, '--target=hello', `--source=${plainFunctionsFrameworkHello()}`, `--port=${port}`], {
    ready: /URL: http/,
    port,
    cwd: ROOT,
  });
  return { faasport, ff };
}

export const rows: BenchRow[] = [
  {
    id: 'dev-hello-rps',
    what: '`faasport dev` req/s, hello (17-byte JSON), 10 keep-alive connections',
    unit: 'req/s',
    better: 'higher',
    subject: 'faasport dev',
    peer: 'functions-framework',
    goal: { ratio: 2, text: '≥ 2.0x functions-framework' },
    note: 'faasport dev makes a real undici Request (Headers, URL) per request and runs the dev guard (Host and Origin checks) before the function.',
    async measure(round) {
      servers ??= await start();
      // Alternate which server goes first, so neither always runs on a warmer machine.
      const order = round % 2 === 0 ? (['faasport', 'ff'] as const) : (['ff', 'faasport'] as const);
      const value: Record<string, number> = {};
      for (const name of order)
        value[name === 'ff' ? 'functions-framework' : 'faasport dev'] = await requestsPerSecond(servers[name].port, '/hello', { durationMs: 2000 });
      return value;
    },
    async dispose() {
      await Promise.all([servers?.faasport.stop(), servers?.ff.stop()]);
      servers = undefined;
    },
  },
];
