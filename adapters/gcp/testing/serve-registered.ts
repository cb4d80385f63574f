import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A registered function served by the Functions Framework's own server on a free local port. */
export interface ServedFunction {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves function `name` (already registered with the framework) the way Google's runtime
 * does, through `getTestServer` from the framework's `testing` export, on 127.0.0.1.
 */
export async function serveRegistered(name: string): Promise<ServedFunction> {
  const { getTestServer } = require('@google-cloud/functions-framework/testing') as { getTestServer(name: string): Server };
  const server = getTestServer(name);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
