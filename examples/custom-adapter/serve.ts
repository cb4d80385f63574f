// Runs an app on the Knative adapter, as its container would:
//   npx tsx examples/custom-adapter/serve.ts examples/shop/app.ts
// Listens on $PORT (default 8080) on all interfaces, fires schedules through in-process
// PingSources, logs JSON lines to stdout, stops on SIGINT/SIGTERM.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isApp } from 'faasport';
import { startKnativeService } from './server.js';

const entry = process.argv[2];
if (!entry) {
  console.error('usage: tsx examples/custom-adapter/serve.ts <app.ts>');
  process.exit(2);
}
const mod = (await import(pathToFileURL(resolve(entry)).href)) as Record<string, unknown>;
const app = [mod.app, mod.default].find(isApp);
if (!app) {
  console.error(`${entry} exports no app; add "export const app = createApp('name')"`);
  process.exit(2);
}
const service = await startKnativeService(app, { port: Number(process.env.PORT ?? 8080), host: process.env.HOST ?? '0.0.0.0', pingSources: true });
console.error(`knative: ${app.name} listening on ${service.url} (broker ingress POST ${service.url}/)`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void service.stop().then(() => process.exit(0)));
}
