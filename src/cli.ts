#!/usr/bin/env node
import { resolve } from 'node:path';
import { createContainer, TOKENS, type AppLoader, type Output, type TargetResolver } from './composition-root.js';
import { assertSupported } from './adapter.js';
import { isFaasportError, FaasportError, summariseError } from './errors.js';
import { addSecretValues, redactSecrets } from './redact-secrets.js';
import type { App } from './app.js';
import { compileTrustProxy } from './client-address.js';
import { closestCommand, commandHelp, COMMANDS, parseCommandArgs, usage } from './cli-options.js';
import { BUILTIN_TARGET_PACKAGES, fromModuleNotFound, requirePackages } from './required-packages.js';
import { checkOutDir, writeOutManifest } from './out-dir.js';
import { replacingFolder } from './staging-folder.js';
import { initProject } from './init.js';
import { prettySink } from './pretty-log.js';
import { importEntry } from './package-entry.js';
import { appEntry } from './load-app.js';
import { createAppBundler } from './dev-bundle.js';
import { watchAndReload } from './dev-reload.js';
import { startDevTracing } from './dev-tracing.js';

type Values = Record<string, string | boolean | string[] | undefined>;

export interface CliIo {
  cwd: string;
  output: Output;
  env: NodeJS.ProcessEnv;
  /** stdout is a terminal: `faasport dev` then logs readable colored lines instead of JSON. */
  tty?: boolean;
}

/** Runs the CLI; resolves to the exit code. Long-running commands (dev) resolve when stopped. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.output.line(usage());
    return command ? 0 : 1;
  }
  if (command === '--version' || command === '-v') {
    io.output.line(await packageVersion());
    return 0;
  }
  if (!COMMANDS[command]) {
    const near = closestCommand(command);
    io.output.error(`faasport: unknown command "${command}"${near ? ` (did you mean "${near}"?)` : ''}\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.output.line(commandHelp(command));
    return 0;
  }
  const debug = rest.includes('--debug');
  try {
    const { values, positionals } = parseCommandArgs(command, rest);
    const container = createContainer({ cwd: io.cwd, output: io.output });
    const loadApp = (): AppLoader => container.get<AppLoader>(TOKENS.AppLoader);
    const targets = (): TargetResolver => container.get<TargetResolver>(TOKENS.TargetResolver);
    switch (command) {
      case 'init':
        return await init(positionals, io);
      case 'dev':
        return await dev(values, positionals, io, loadApp());
      case 'build':
        return await build(values, positionals, io, loadApp(), targets());
      case 'deploy':
        return await deploy(values, positionals, rest, io, loadApp(), targets());
      case 'cost': {
        const { costCommand } = await import('./cost/cost-command.js');
        return await costCommand(rest, io, loadApp());
      }
      case 'conformance': {
        const { conformanceCommand } = await importEntry<typeof import('faasport/conformance')>('conformance');
        return await conformanceCommand(rest, io, targets());
      }
      default:
        // A command in the table without a case here is a faasport bug, not a user error.
        throw new Error(`command "${command}" is declared in src/cli-options.ts but has no handler in src/cli.ts`);
    }
  } catch (err) {
    return reportFailure(command, err, io, debug);
  }
}

/**
 * One line for every failure a user can fix (and its fix), with exit 1, or 2 for a command line
 * that does not parse; an unexpected error gets its stack only under --debug.
 */
function reportFailure(command: string, err: unknown, io: CliIo, debug: boolean): number {
  const known = isFaasportError(err) ? err : (fromModuleNotFound(err, `faasport ${command}`) ?? knownSystemError(err, command));
  if (known) {
    // A message that names its operation already ("faasport build: --out ...") is not prefixed twice.
    const message = known.message.startsWith(`faasport ${command}: `) ? known.message.slice(`faasport ${command}: `.length) : known.message;
    io.output.error(`faasport ${command}: ${message} [${known.code}]`);
    if (debug && known !== err) io.output.error(String((err as Error)?.stack ?? err));
    return known.code === 'UNKNOWN_OPTION' || known.details?.usage === true ? 2 : 1;
  }
  const message = (err as Error)?.message ?? String(err);
  io.output.error(`faasport ${command}: unexpected error: ${message}${debug ? `\n${(err as Error)?.stack ?? ''}` : ' (run again with --debug for the stack)'}`);
  return 70;
}

/** File-system failures a user can fix, as one line with the fix. */
function knownSystemError(err: unknown, command: string): FaasportError | undefined {
  const e = err as NodeJS.ErrnoException;
  const path = e?.path ?? '';
  switch (e?.code) {
    case 'ENOENT':
      return new FaasportError('CONFIG_INVALID', `${path || 'a file'} does not exist; check the path (run "faasport ${command} --help")`, { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new FaasportError('CONFIG_INVALID', `no permission to use ${path || 'a file'}; pick a folder you can write or fix its permissions`, {
        cause: err,
      });
    case 'ENOSPC':
      return new FaasportError('CONFIG_INVALID', 'the disk is full; free some space and run again', { cause: err });
    default:
      return undefined;
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
  if (!Number.isInteger(n) || n < min || n > max)
    throw new FaasportError('CONFIG_INVALID', `--${name} must be an integer from ${min} to ${max}, got "${value}"`);
  return n;
}

async function init(positionals: string[], io: CliIo): Promise<number> {
  const dir = resolve(io.cwd, positionals[0] ?? '.');
  const files = initProject(dir, await packageVersion());
  io.output.line(`faasport init: wrote ${files.join(', ')} in ${dir}`);
  const cd = positionals[0] ? `cd ${positionals[0]} && ` : '';
  io.output.line(`next: ${cd}npm install && npm test && npm run dev`);
  return 0;
}

function text(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

async function dev(values: Values, positionals: string[], io: CliIo, loadApp: AppLoader): Promise<number> {
  // Checked before the app loads: a typo here must not leave a server believing every X-Forwarded-For.
  const trustSpec = text(values, 'trust-proxy') ?? io.env.FAASPORT_TRUST_PROXY;
  const trustProxy = compileTrustProxy(trustSpec, values['trust-proxy'] !== undefined ? 'faasport dev --trust-proxy' : 'faasport dev (FAASPORT_TRUST_PROXY)');
  const persistMaxMb = values['persist-max-mb'] === undefined ? undefined : intOption('persist-max-mb', text(values, 'persist-max-mb'), 0, 1, 1024 * 1024);
  if (persistMaxMb !== undefined && values.persist === undefined)
    throw new FaasportError('CONFIG_INVALID', '--persist-max-mb caps the --persist store; add --persist <dir> or drop it');
  const watch = values['no-watch'] !== true;
  const entry = appEntry(requireApp(positionals, 'dev'), io.cwd);
  // Watching: each load bundles the app's own files afresh (Node never re-evaluates an imported module).
  const bundler = watch ? createAppBundler(entry, io.cwd) : undefined;
  if (bundler) process.setSourceMapsEnabled(true);
  const first = bundler ? await bundler.load() : undefined;
  const { app } = first?.loaded ?? (await loadApp(entry));
  const port = intOption('port', text(values, 'port') ?? io.env.PORT, 3000, 0, 65535);
  const maxBodyBytes = intOption('max-body-bytes', text(values, 'max-body-bytes'), 6 * 1024 * 1024, 1, 1024 * 1024 * 1024);
  const host = text(values, 'host') ?? '127.0.0.1';
  const persist = text(values, 'persist');
  const local = await importEntry<typeof import('faasport/local')>('local');
  const limits = devLimits(values, local.SERVE_DEFAULTS);
  // Before the runtime exists, so its first invocation already finds the tracer provider.
  const tracing = await startDevTracing(io.env, app.name);
  const beyondLoopback = !local.isLoopbackHost(host);
  const controlApi = values['lambda-control-api'] === true;
  // One per-run secret: for the control API (which runs uploaded code) and for any request from beyond loopback.
  const token = beyondLoopback || controlApi ? local.createDevToken() : undefined;
  const production = io.env.NODE_ENV === 'production';
  const mounts = [];
  // The Lambda Invoke API (and, when asked for, the control API) let @aws-sdk/client-lambda
  // (and faasport deploy --target aws --endpoint-url) talk to the dev server as to Lambda.
  // faasport/aws/dev needs no optional package (the SDK is the client's side).
  const awsDev = await importEntry<typeof import('faasport/aws/dev')>('aws/dev');
  const lambdaApi = awsDev.createDevLambdaApi(() => runtime.app, { production, controlApi });
  mounts.push(lambdaApi);
  // JSON lines for machines (piped, --json); readable lines for a person at a terminal.
  const readable = io.tty === true && values.json !== true;
  const logSink = readable ? prettySink((l) => io.output.line(l), io.env.NO_COLOR === undefined || io.env.NO_COLOR === '') : undefined;
  const runtime = local.createLocalRuntime(app, {
    maxBodyBytes,
    mounts,
    production,
    // The dashboard shows log lines and error messages, which production answers hide.
    dashboard: !production,
    ...(logSink ? { logSink } : {}),
    ...(persist !== undefined ? { persist } : {}),
    ...(persistMaxMb !== undefined ? { persistMaxBytes: persistMaxMb * 1024 * 1024 } : {}),
  });
  let listeningPort = -1;
  const guard = local.createDevGuard({
    host,
    port: () => listeningPort,
    ...(token
      ? {
          token,
          requireToken: (request: Request, pathname: string) =>
            (beyondLoopback && !local.isDashboardAsset(request.method, pathname)) || lambdaApi.isControlPath(pathname),
        }
      : {}),
  });
  const server = await local
    .serve(
      local.guardRoutes(guard, (request) => runtime.fetch(request)),
      {
        port,
        host,
        maxBodyBytes,
        ...limits,
        ...(trustProxy ? { trustProxy } : {}),
        onError: (err) => io.output.error(`faasport dev: ${(err as Error)?.message ?? String(err)}`),
      },
    )
    .catch(async (err: unknown) => {
      runtime.stop();
      await lambdaApi.close();
      await tracing?.shutdown();
      throw listenError(err, host, port);
    });
  listeningPort = server.port;
  if (!values['no-schedules']) runtime.startSchedules();
  const url = beyondLoopback ? `http://${host.includes(':') ? `[${host}]` : host}:${server.port}` : server.url;
  io.output.line(describeApp(app, url, runtime.upcoming(), local.DEV_API_ROUTES));
  if (tracing) io.output.line(`tracing: ${tracing.description}`);
  if (trustProxy) io.output.line(`forwarding headers (X-Forwarded-For, -Host, -Proto) believed from trusted proxies: ${String(trustSpec)}`);
  if (beyondLoopback) {
    io.output.line(
      `\nWARNING: listening on ${url} (${describeReach(host, local.allowedHosts(host, server.port))}), beyond this machine's loopback: anyone who can reach it can call the app's routes.` +
        `\n  The dev API and Lambda APIs require this run's token: x-faasport-token: ${token} (or Authorization: Bearer ${token}; AWS_ACCESS_KEY_ID=${token} for @aws-sdk clients)`,
    );
  }
  if (controlApi) {
    io.output.line(
      `\n  Lambda control API on: it runs uploaded code. Deploy with AWS_ACCESS_KEY_ID=${token} (any AWS_SECRET_ACCESS_KEY):` +
        `\n    faasport deploy <app.ts> --target aws --endpoint-url ${url} --prefix <name>`,
    );
  }
  const reloader =
    bundler && first
      ? watchAndReload(bundler, first.files, {
          apply: (next) => runtime.reload(next),
          current: () => runtime.app,
          line: (l) => io.output.line(l),
          error: (l) => io.output.error(l),
        })
      : undefined;
  if (reloader)
    io.output.line(`watching ${first!.files.length} file(s) of the app; an edit reloads it (queues, dead letters and schedules stay; --no-watch to turn off)`);
  // Last, so it is what a reader sees. The fragment never leaves the browser: the page reads the token from it and sends it as a header.
  io.output.line(
    production ? '\n  dashboard: off (NODE_ENV=production)' : `\n  dashboard: ${url}${local.DASHBOARD_PATH}${beyondLoopback && token ? `#token=${token}` : ''}`,
  );
  // The banner above is the one place the token is shown (what the CLI prints is scrubbed too);
  // from here on it is a secret like the environment's: never in a log line (a handler that logs its request's headers, say).
  if (token) addSecretValues([token]);
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      reloader?.close();
      runtime.stop();
      void Promise.all([server.close(), lambdaApi.close()])
        .then(() => tracing?.shutdown())
        .catch((err: unknown) => io.output.error(`faasport dev: ${(err as Error)?.message ?? String(err)}`))
        .then(() => done());
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

type DevLimits = Record<'maxConnections' | 'maxInFlightBodyBytes' | 'headersTimeoutMs' | 'requestTimeoutMs', number>;

/** The resource caps of `faasport dev`, from its flags (each defaults to `serve`'s own). */
function devLimits(values: Values, defaults: DevLimits): DevLimits {
  const limits = {
    maxConnections: intOption('max-connections', text(values, 'max-connections'), defaults.maxConnections, 1, 1_000_000),
    maxInFlightBodyBytes: intOption(
      'max-inflight-body-bytes',
      text(values, 'max-inflight-body-bytes'),
      defaults.maxInFlightBodyBytes,
      1,
      64 * 1024 * 1024 * 1024,
    ),
    headersTimeoutMs: intOption('headers-timeout', text(values, 'headers-timeout'), defaults.headersTimeoutMs, 100, 3_600_000),
    requestTimeoutMs: intOption('request-timeout', text(values, 'request-timeout'), defaults.requestTimeoutMs, 100, 3_600_000),
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new FaasportError(
      'CONFIG_INVALID',
      `--headers-timeout (${limits.headersTimeoutMs} ms) must not exceed --request-timeout (${limits.requestTimeoutMs} ms): the whole request includes its headers`,
    );
  }
  return limits;
}

/** Which addresses a bind beyond loopback answers on, for the startup warning. */
function describeReach(host: string, hosts: Set<string>): string {
  if (host !== '0.0.0.0' && host !== '::' && host !== '') return 'reachable from other machines';
  const addresses = [...hosts].map((h) => h.replace(/:\d+$/, '')).filter((h) => !/^(?:localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0|\[::\])$/.test(h));
  return `every network interface${addresses.length > 0 ? `: ${addresses.join(', ')}` : ''}`;
}

/** A listen failure as one line and its fix. */
function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as { code?: string })?.code;
  if (code === 'EADDRINUSE') {
    return new FaasportError(
      'CONFIG_INVALID',
      `port ${port} on ${host} is in use (another faasport dev?); stop that process, or pass --port <n>, or --port 0 for any free port`,
      { cause: err },
    );
  }
  if (code === 'EACCES') {
    return new FaasportError(
      'CONFIG_INVALID',
      `no permission to listen on ${host}:${port} (ports below 1024 need privileges); pass --port 3000 or another port above 1023`,
      { cause: err },
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new FaasportError('CONFIG_INVALID', `${host} is not an address of this machine; pass --host 127.0.0.1`, { cause: err });
  }
  return err;
}

/** The listing `faasport dev` prints at startup. */
export function describeApp(app: App, url: string, upcoming: { name: string; next: Date | undefined }[], devApiRoutes: readonly string[] = []): string {
  const lines = [`faasport dev: app "${app.name}" listening on ${url}`, ''];
  for (const f of app.functions) {
    switch (f.kind) {
      case 'http':
        lines.push(`  http      ${(f.methods === '*' ? 'ANY' : f.methods.join(',')).padEnd(8)} ${url}${f.route.route}  → ${f.name}`);
        break;
      case 'queue':
        lines.push(
          `  queue     ${f.source.name}  → ${f.name} (maxAttempts ${f.source.maxAttempts}${f.source.fifo ? ', fifo' : ''}${f.source.deadLetter ? ', dead-letter on' : ''})`,
        );
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
  if (devApiRoutes.length > 0) lines.push('', `  dev API (${url}):`, ...devApiRoutes.map((r) => `    ${r}`));
  return lines.join('\n');
}

async function build(values: Values, positionals: string[], io: CliIo, loadApp: AppLoader, resolveTarget: TargetResolver): Promise<number> {
  const targetName = text(values, 'target');
  if (!targetName) throw new FaasportError('CONFIG_INVALID', 'missing --target; use --target aws, azure, gcp or a path to an adapter module');
  requirePackages(`faasport build --target ${targetName}`, BUILTIN_TARGET_PACKAGES[targetName]?.build ?? []);
  const loaded = await loadApp(requireApp(positionals, 'build'));
  const target = await resolveTarget(targetName);
  assertSupported(loaded.app, target.adapter);
  if (typeof target.build !== 'function') {
    throw new FaasportError('CONFIG_INVALID', `target "${targetName}" (${target.adapter.name}) has no build(); it runs in-process only`);
  }
  const outDir = resolve(io.cwd, text(values, 'out') ?? `dist/${target.adapter.name}`);
  checkOutDir(outDir, 'faasport build');
  const cloud = text(values, 'cloud');
  const buildOptions = {
    entry: loaded.entry,
    exportName: loaded.exportName,
    outDir,
    app: loaded.app,
    log: (l: string) => io.output.line(l),
    ...(cloud !== undefined ? { cloud } : {}),
  };
  // A build that fails (a missing package, a bundling error) leaves the folder as it was, and
  // the next build takes it; npm's node_modules in a built folder is kept.
  const { result, infra } = await replacingFolder(outDir, ['node_modules'], async () => {
    const result = await target.build!(buildOptions);
    const infra = target.writeInfrastructure ? await target.writeInfrastructure(buildOptions) : { files: [] };
    return { result, infra };
  });
  const files = [...new Set([...result.files, ...infra.files])];
  writeOutManifest(outDir, target.adapter.name);
  io.output.line(`faasport build: wrote ${files.length} files for ${target.adapter.name} to ${result.outDir}`);
  for (const f of files) io.output.line(`  ${f}`);
  return 0;
}

async function deploy(values: Values, positionals: string[], args: string[], io: CliIo, loadApp: AppLoader, resolveTarget: TargetResolver): Promise<number> {
  const targetName = text(values, 'target');
  if (!targetName) throw new FaasportError('CONFIG_INVALID', 'missing --target; use --target aws, azure or gcp');
  const needs = BUILTIN_TARGET_PACKAGES[targetName];
  requirePackages(`faasport deploy --target ${targetName}`, needs ? [...needs.build, ...needs.deploy] : []);
  const loaded = await loadApp(requireApp(positionals, 'deploy'));
  const target = await resolveTarget(targetName);
  assertSupported(loaded.app, target.adapter);
  if (typeof target.deploy !== 'function') {
    throw new FaasportError(
      'CONFIG_INVALID',
      `target "${targetName}" (${target.adapter.name}) does not offer deploy; run "faasport build" and deploy the folder with the platform's own tools`,
    );
  }
  const outDir = resolve(io.cwd, text(values, 'out') ?? `dist/${target.adapter.name}`);
  checkOutDir(outDir, 'faasport deploy');
  await target.deploy({ entry: loaded.entry, exportName: loaded.exportName, app: loaded.app, outDir, args, log: (l) => io.output.line(l), env: io.env });
  writeOutManifest(outDir, target.adapter.name);
  return 0;
}

const isMain = process.argv[1] !== undefined && /(?:^|[\\/])(?:cli\.(?:ts|js|mjs)|faasport)$/.test(process.argv[1]);
if (isMain) {
  main(process.argv.slice(2), {
    cwd: process.cwd(),
    env: process.env,
    tty: process.stdout.isTTY === true,
    // Everything the CLI prints passes the secret scrubber: deploy tools' output, errors, banners.
    output: { line: (t) => process.stdout.write(redactSecrets(t) + '\n'), error: (t) => process.stderr.write(redactSecrets(t) + '\n') },
  }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      const detail = process.argv.includes('--debug') && err instanceof Error ? `\n${err.stack ?? ''}` : ' (run again with --debug for the stack)';
      process.stderr.write(redactSecrets(`faasport: unexpected error: ${summariseError(err).message}${detail}`) + '\n');
      process.exit(70);
    },
  );
}
