#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { createContainer, TOKENS, type AppLoader, type Output, type TargetResolver } from './composition-root.js';
import { assertSupported } from './adapter.js';
import { isFaasportError, FaasportError, summariseError } from './errors.js';
import { redactSecrets } from './redact-secrets.js';
import type { App } from './app.js';
import { compileTrustProxy } from './client-address.js';

const USAGE = `faasport — write a serverless function once, run it on AWS, Azure, Google Cloud or locally

Usage:
  faasport dev <app.ts> [--port 3000] [--host 127.0.0.1] [--max-body-bytes 6291456] [--no-schedules] [--persist <dir>] [--persist-max-mb <n>]
                 [--trust-proxy <hops|ip,cidr,loopback,...>] [--lambda-control-api]
                 [--max-connections 512] [--max-inflight-body-bytes 67108864]
                 [--headers-timeout 10000] [--request-timeout 30000]
      The dev API (/_faasport/*) and Lambda APIs (/2015-03-31/*) refuse web pages: a foreign Host
      (421), a foreign Origin or a form Content-Type such as text/plain (403). --lambda-control-api
      serves CreateFunction/UpdateFunctionCode, which run uploaded code: its requests must carry the
      per-run token printed at start (as AWS_ACCESS_KEY_ID, or x-faasport-token / Bearer). A --host
      beyond loopback prints a warning and makes every dev and Lambda API request need that token.
      Caps: connections held at once; request body bytes held across connections (then 503);
      milliseconds to receive the headers, and the whole request (then 408).
  faasport build <app.ts> --target aws|azure|gcp|<module> [--out dist/<target>]
  faasport build <app.ts> --target container --cloud aws|gcp|azure [--out dist/container]
  faasport deploy <app.ts> --target aws|azure|gcp|<module> [--out dist/<target>] [target options]
  faasport cost <app.ts> [--rps N | --requests-per-month N] [--duration-ms D] [--memory-mb M] [--measure] [--chart f.svg] [--json] (more: cost --help)
  faasport conformance [--adapter local|aws|azure|gcp|<module>]... [--only] [--out conformance-report]
                       (a <module> alone is added to the four built-ins; --only runs just the modules)
  faasport --help | --version
`;

export interface CliIo {
  cwd: string;
  output: Output;
  env: NodeJS.ProcessEnv;
}

/** Runs the CLI; resolves to the exit code. Long-running commands (dev) resolve when stopped. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.output.line(USAGE);
    return command ? 0 : 1;
  }
  if (command === '--version' || command === '-v') {
    io.output.line(await packageVersion());
    return 0;
  }
  const container = createContainer({ cwd: io.cwd, output: io.output });
  try {
    switch (command) {
      case 'dev':
        return await dev(rest, io, container.get<AppLoader>(TOKENS.AppLoader), container.get<TargetResolver>(TOKENS.TargetResolver));
      case 'build':
        return await build(rest, io, container.get<AppLoader>(TOKENS.AppLoader), container.get<TargetResolver>(TOKENS.TargetResolver));
      case 'deploy':
        return await deploy(rest, io, container.get<AppLoader>(TOKENS.AppLoader), container.get<TargetResolver>(TOKENS.TargetResolver));
      case 'cost': {
        const { costCommand } = await import('./cost/cost-command.js');
        return await costCommand(rest, io, container.get<AppLoader>(TOKENS.AppLoader));
      }
      case 'conformance': {
        const { conformanceCommand } = await import('../conformance/cli.js');
        return await conformanceCommand(rest, io, container.get<TargetResolver>(TOKENS.TargetResolver));
      }
      default:
        io.output.error(`faasport: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (isFaasportError(err)) {
      io.output.error(`faasport ${command}: ${err.message} [${err.code}]`);
      return 1;
    }
    if ((err as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')) {
      io.output.error(`faasport ${command}: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}

async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(await readFile(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'faasport') return pkg.version ?? '0.0.0';
    } catch {
      /* try the next location */
    }
  }
  return '0.0.0';
}

function requireApp(positionals: string[], command: string): string {
  const path = positionals[0];
  if (!path) throw new FaasportError('CONFIG_INVALID', `missing the app file; run "faasport ${command} path/to/app.ts"`);
  return path;
}

function intOption(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new FaasportError('CONFIG_INVALID', `--${name} must be an integer from ${min} to ${max}, got "${value}"`);
  return n;
}

async function dev(args: string[], io: CliIo, loadApp: AppLoader, resolveTarget: TargetResolver): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'no-schedules': { type: 'boolean' },
      persist: { type: 'string' },
      'persist-max-mb': { type: 'string' },
      'trust-proxy': { type: 'string' },
      'lambda-control-api': { type: 'boolean' },
      'max-connections': { type: 'string' },
      'max-inflight-body-bytes': { type: 'string' },
      'headers-timeout': { type: 'string' },
      'request-timeout': { type: 'string' },
    },
  });
  // Checked before the app loads: a typo here must not leave a server believing every X-Forwarded-For.
  const trustSpec = values['trust-proxy'] ?? io.env.FAASPORT_TRUST_PROXY;
  const trustProxy = compileTrustProxy(trustSpec, values['trust-proxy'] !== undefined ? 'faasport dev --trust-proxy' : 'faasport dev (FAASPORT_TRUST_PROXY)');
  const persistMaxMb = values['persist-max-mb'] === undefined ? undefined : intOption('persist-max-mb', values['persist-max-mb'], 0, 1, 1024 * 1024);
  if (persistMaxMb !== undefined && values.persist === undefined) throw new FaasportError('CONFIG_INVALID', '--persist-max-mb caps the --persist store; add --persist <dir> or drop it');
  const { app } = await loadApp(requireApp(positionals, 'dev'));
  const port = intOption('port', values.port ?? io.env.PORT, 3000, 0, 65535);
  const maxBodyBytes = intOption('max-body-bytes', values['max-body-bytes'], 6 * 1024 * 1024, 1, 1024 * 1024 * 1024);
  const local = await import('../adapters/local/index.js');
  const limits = devLimits(values, local.SERVE_DEFAULTS);
  const host = values.host ?? '127.0.0.1';
  const beyondLoopback = !local.isLoopbackHost(host);
  const controlApi = values['lambda-control-api'] === true;
  // One per-run secret: for the control API (which runs uploaded code) and for any request from beyond loopback.
  const token = beyondLoopback || controlApi ? local.createDevToken() : undefined;
  const production = io.env.NODE_ENV === 'production';
  const mounts = [];
  // The Lambda Invoke API (and, when asked for, the control API) let @aws-sdk/client-lambda
  // (and faasport deploy --target aws --endpoint-url) talk to the dev server as to Lambda.
  const aws = (await resolveTarget('aws').catch(() => undefined)) as
    | {
        createDevLambdaApi?: (
          app: App,
          options: { production: boolean; controlApi: boolean },
        ) => ((r: Request) => Promise<Response | undefined>) & { close(): Promise<void>; isControlPath(pathname: string): boolean };
      }
    | undefined;
  const lambdaApi = typeof aws?.createDevLambdaApi === 'function' ? aws.createDevLambdaApi(app, { production, controlApi }) : undefined;
  if (lambdaApi) mounts.push(lambdaApi);
  const runtime = local.createLocalRuntime(app, {
    maxBodyBytes,
    mounts,
    production,
    ...(values.persist !== undefined ? { persist: values.persist } : {}),
    ...(persistMaxMb !== undefined ? { persistMaxBytes: persistMaxMb * 1024 * 1024 } : {}),
  });
  let listeningPort = -1;
  const guard = local.createDevGuard({
    host,
    port: () => listeningPort,
    ...(token ? { token, requireToken: (_request: Request, pathname: string) => beyondLoopback || (lambdaApi?.isControlPath(pathname) ?? false) } : {}),
  });
  const server = await local.serve(local.guardRoutes(guard, (request) => runtime.fetch(request)), {
    port,
    host,
    maxBodyBytes,
    ...limits,
    ...(trustProxy ? { trustProxy } : {}),
    onError: (err) => io.output.error(`faasport dev: ${(err as Error)?.message ?? String(err)}`),
  });
  listeningPort = server.port;
  if (!values['no-schedules']) runtime.startSchedules();
  const url = beyondLoopback ? `http://${host.includes(':') ? `[${host}]` : host}:${server.port}` : server.url;
  io.output.line(describeApp(app, url, runtime.upcoming()));
  if (trustProxy) io.output.line(`forwarding headers (X-Forwarded-For, -Host, -Proto) believed from trusted proxies: ${String(trustSpec)}`);
  if (beyondLoopback) {
    io.output.line(
      `\nWARNING: listening on ${url} (${describeReach(host, local.allowedHosts(host, server.port))}), beyond this machine's loopback: anyone who can reach it can call the app's routes.` +
        `\n  The dev API and Lambda APIs require this run's token: x-faasport-token: ${token} (or Authorization: Bearer ${token}; AWS_ACCESS_KEY_ID=${token} for @aws-sdk clients)`,
    );
  }
  if (controlApi && lambdaApi) {
    io.output.line(
      `\n  Lambda control API on: it runs uploaded code. Deploy with AWS_ACCESS_KEY_ID=${token} (any AWS_SECRET_ACCESS_KEY):` +
        `\n    faasport deploy <app.ts> --target aws --endpoint-url ${url} --prefix <name>`,
    );
  }
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      runtime.stop();
      void Promise.all([server.close(), lambdaApi?.close()]).then(() => done());
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

type DevLimits = Record<'maxConnections' | 'maxInFlightBodyBytes' | 'headersTimeoutMs' | 'requestTimeoutMs', number>;

/** The resource caps of `faasport dev`, from its flags (each defaults to `serve`'s own). */
function devLimits(values: Record<string, string | boolean | undefined>, defaults: DevLimits): DevLimits {
  const text = (name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const limits = {
    maxConnections: intOption('max-connections', text('max-connections'), defaults.maxConnections, 1, 1_000_000),
    maxInFlightBodyBytes: intOption('max-inflight-body-bytes', text('max-inflight-body-bytes'), defaults.maxInFlightBodyBytes, 1, 64 * 1024 * 1024 * 1024),
    headersTimeoutMs: intOption('headers-timeout', text('headers-timeout'), defaults.headersTimeoutMs, 100, 3_600_000),
    requestTimeoutMs: intOption('request-timeout', text('request-timeout'), defaults.requestTimeoutMs, 100, 3_600_000),
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new FaasportError('CONFIG_INVALID', `--headers-timeout (${limits.headersTimeoutMs} ms) must not exceed --request-timeout (${limits.requestTimeoutMs} ms): the whole request includes its headers`);
  }
  return limits;
}

/** Which addresses a bind beyond loopback answers on, for the startup warning. */
function describeReach(host: string, hosts: Set<string>): string {
  if (host !== '0.0.0.0' && host !== '::' && host !== '') return 'reachable from other machines';
  const addresses = [...hosts].map((h) => h.replace(/:\d+$/, '')).filter((h) => !/^(?:localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0|\[::\])$/.test(h));
  return `every network interface${addresses.length > 0 ? `: ${addresses.join(', ')}` : ''}`;
}

/** The listing `faasport dev` prints at startup. */
export function describeApp(app: App, url: string, upcoming: { name: string; next: Date | undefined }[]): string {
  const lines = [`faasport dev: app "${app.name}" listening on ${url}`, ''];
  for (const f of app.functions) {
    switch (f.kind) {
      case 'http':
        lines.push(`  http      ${(f.methods === '*' ? 'ANY' : f.methods.join(',')).padEnd(8)} ${url}${f.route.route}  → ${f.name}`);
        break;
      case 'queue':
        lines.push(`  queue     ${f.source.name}  → ${f.name} (maxAttempts ${f.source.maxAttempts}${f.source.fifo ? ', fifo' : ''}${f.source.deadLetter ? ', dead-letter on' : ''})`);
        break;
      case 'topic':
        lines.push(`  topic     ${f.source.name}  → ${f.name}`);
        break;
      case 'schedule': {
        const next = upcoming.find((u) => u.name === f.name)?.next;
        lines.push(`  schedule  ${f.name}  ${f.cron ?? `every ${f.everyMs! / 60_000} min`}${next ? `  next ${next.toISOString()}` : ''}`);
        break;
      }
      case 'event':
        lines.push(`  event     ${f.name}  type ${f.type ?? 'any'}, source ${f.source ?? 'any'}`);
        break;
    }
  }
  for (const q of app.queues) {
    if (!app.functions.some((f) => f.kind === 'queue' && f.source === q)) lines.push(`  queue     ${q.name}  (no consumer: messages wait)`);
  }
  lines.push('', `  dev API   ${url}/_faasport/functions, /_faasport/queues, POST /_faasport/events, POST /_faasport/schedules/<name>/run`);
  return lines.join('\n');
}

async function build(args: string[], io: CliIo, loadApp: AppLoader, resolveTarget: TargetResolver): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { target: { type: 'string' }, out: { type: 'string' }, cloud: { type: 'string' } } });
  if (!values.target) throw new FaasportError('CONFIG_INVALID', 'missing --target; use --target aws, azure, gcp or a path to an adapter module');
  const loaded = await loadApp(requireApp(positionals, 'build'));
  const target = await resolveTarget(values.target);
  assertSupported(loaded.app, target.adapter);
  if (typeof target.build !== 'function') {
    throw new FaasportError('CONFIG_INVALID', `target "${values.target}" (${target.adapter.name}) has no build(); it runs in-process only`);
  }
  const outDir = resolve(io.cwd, values.out ?? `dist/${target.adapter.name}`);
  mkdirSync(outDir, { recursive: true });
  const buildOptions = { entry: loaded.entry, exportName: loaded.exportName, outDir, app: loaded.app, log: (l: string) => io.output.line(l), ...(values.cloud !== undefined ? { cloud: values.cloud } : {}) };
  const result = await target.build(buildOptions);
  const infra = target.writeInfrastructure ? await target.writeInfrastructure(buildOptions) : { files: [] };
  const files = [...new Set([...result.files, ...infra.files])];
  io.output.line(`faasport build: wrote ${files.length} files for ${target.adapter.name} to ${result.outDir}`);
  for (const f of files) io.output.line(`  ${f}`);
  return 0;
}

async function deploy(args: string[], io: CliIo, loadApp: AppLoader, resolveTarget: TargetResolver): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: false, options: { target: { type: 'string' }, out: { type: 'string' } } });
  if (typeof values.target !== 'string') throw new FaasportError('CONFIG_INVALID', 'missing --target; use --target aws, azure or gcp');
  const loaded = await loadApp(requireApp(positionals, 'deploy'));
  const target = await resolveTarget(values.target);
  assertSupported(loaded.app, target.adapter);
  if (typeof target.deploy !== 'function') {
    throw new FaasportError('CONFIG_INVALID', `target "${values.target}" (${target.adapter.name}) does not offer deploy; run "faasport build" and deploy the folder with the platform's own tools`);
  }
  const outDir = resolve(io.cwd, typeof values.out === 'string' ? values.out : `dist/${target.adapter.name}`);
  await target.deploy({ entry: loaded.entry, exportName: loaded.exportName, app: loaded.app, outDir, args, log: (l) => io.output.line(l), env: io.env });
  return 0;
}

const isMain = process.argv[1] !== undefined && /(?:^|[\\/])(?:cli\.(?:ts|js|mjs)|faasport)$/.test(process.argv[1]);
if (isMain) {
  main(process.argv.slice(2), {
    cwd: process.cwd(),
    env: process.env,
    // Everything the CLI prints passes the secret scrubber: deploy tools' output, errors, banners.
    output: { line: (t) => process.stdout.write(redactSecrets(t) + '\n'), error: (t) => process.stderr.write(redactSecrets(t) + '\n') },
  }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(redactSecrets(`faasport: unexpected error: ${err instanceof Error ? err.stack : summariseError(err).message}`) + '\n');
      process.exit(70);
    },
  );
}
