import { existsSync } from 'node:fs';
import { defineConfig } from 'tsup';

const entries: Record<string, string> = {
  index: 'src/index.ts',
  cli: 'src/cli.ts',
  local: 'adapters/local/index.ts',
  conformance: 'conformance/index.ts',
  aws: 'adapters/aws/index.ts',
  azure: 'adapters/azure/index.ts',
  gcp: 'adapters/gcp/index.ts',
  container: 'adapters/container/index.ts',
  'container-aws': 'adapters/container/aws.ts',
  'container-gcp': 'adapters/container/gcp.ts',
  'container-azure': 'adapters/container/azure.ts',
};

export default defineConfig({
  entry: Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file))),
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  // Cloud SDKs are optional peers: never bundled into the library.
  external: [/^@aws-sdk\//, /^@azure\//, /^@google-cloud\//, 'aws-lambda-ric', 'tsx', 'esbuild', 'inversify', 'croner'],
});
