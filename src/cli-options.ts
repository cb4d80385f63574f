import { parseArgs } from 'node:util';
import { FaasportError } from './errors.js';
import { closest } from './options.js';

/** One command-line option, as `parseArgs` reads it and `--help` prints it. */
export interface CliOption {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  /** The value's name in the help text: `--port <n>`. */
  readonly value?: string;
  readonly help: string;
  /** deploy: the targets that read this option. */
  readonly targets?: readonly string[];
}

export interface CliCommand {
  /** What follows `faasport <command>` in the usage line, before the options. */
  readonly args: string;
  readonly summary: string;
  readonly options: Readonly<Record<string, CliOption>>;
}

/** Options every command takes. */
export const COMMON_OPTIONS: Readonly<Record<string, CliOption>> = {
  debug: { type: 'boolean', help: 'print the stack of an unexpected error' },
  help: { type: 'boolean', help: 'this help' },
};

/**
 * Every command and every option it takes, in one place: parsing, `--help` and the "did you
 * mean" suggestion all read this table. A new option is one line here.
 */
export const COMMANDS: Record<string, CliCommand> = {
  init: {
    args: '[dir]',
    summary: 'Write a new project (package.json, tsconfig.json, app.ts with one function of each kind, a test) into dir (default: here).',
    options: {},
  },
  dev: {
    args: '<app.ts>',
    summary:
      'Run the app on this machine: HTTP, queues, topics, schedules and events. With $OTEL_EXPORTER_OTLP_ENDPOINT set, spans go there (OTLP http/protobuf or http/json).',
    options: {
      port: { type: 'string', value: '<n>', help: 'port to listen on; 0 picks a free one (default: $PORT or 3000)' },
      host: { type: 'string', value: '<address>', help: 'address to listen on (default: 127.0.0.1)' },
      'max-body-bytes': { type: 'string', value: '<n>', help: 'largest request body (default: 6291456, 6 MB)' },
      'no-schedules': { type: 'boolean', help: 'do not run schedules on their timing (run them through the dev API)' },
      'no-watch': { type: 'boolean', help: 'load the app once; do not reload it when it or a file it imports changes' },
      persist: { type: 'string', value: '<dir>', help: 'keep queues, dead letters and ctx.once keys in SQLite in <dir>' },
      'persist-max-mb': { type: 'string', value: '<n>', help: 'with --persist: the largest the store may grow; past it sends get 507 STORE_FULL' },
      'trust-proxy': {
        type: 'string',
        value: '<hops|ip,cidr,loopback,...>',
        help: 'believe X-Forwarded-* from these proxies (default: none; or $FAASPORT_TRUST_PROXY)',
      },
      json: { type: 'boolean', help: 'log lines as JSON (the default when stdout is not a terminal); readable colored lines otherwise' },
      'lambda-control-api': {
        type: 'boolean',
        help: 'serve the Lambda control API (CreateFunction/UpdateFunctionCode run uploaded code); needs the per-run token printed at start',
      },
      'max-connections': { type: 'string', value: '<n>', help: 'connections held at once (default: 512)' },
      'max-inflight-body-bytes': { type: 'string', value: '<n>', help: 'request body bytes held across all connections, then 503 (default: 67108864, 64 MiB)' },
      'headers-timeout': { type: 'string', value: '<ms>', help: 'time to receive the request headers, then 408 (default: 10000)' },
      'request-timeout': { type: 'string', value: '<ms>', help: 'time to receive the whole request, then 408 (default: 30000)' },
    },
  },
  build: {
    args: '<app.ts>',
    summary: 'Write a deployable folder for one cloud.',
    options: {
      target: { type: 'string', value: 'aws|azure|gcp|container|<module>', help: 'the cloud, the container target, or a path to an adapter module (required)' },
      cloud: { type: 'string', value: 'aws|gcp|azure', help: 'with --target container: the cloud whose queue service and deploy files to use' },
      out: { type: 'string', value: '<dir>', help: 'output folder, empty or written by faasport before (default: dist/<target>)' },
    },
  },
  deploy: {
    args: '<app.ts>',
    summary: "Build, then deploy with the cloud's own client (aws: @aws-sdk/client-lambda; azure: az; gcp: gcloud).",
    options: {
      target: { type: 'string', value: 'aws|azure|gcp|<module>', help: 'the cloud, or a path to an adapter module (required)' },
      out: { type: 'string', value: '<dir>', help: 'where the built folder ends up (default: dist/<target>)' },
      'dry-run': { type: 'boolean', help: 'build and print what would change; deploy nothing', targets: ['aws', 'azure', 'gcp'] },
      region: { type: 'string', value: '<region>', help: 'region (aws: from the credential chain; gcp: us-central1)', targets: ['aws', 'gcp'] },
      role: { type: 'string', value: '<arn>', help: 'execution role ARN; "{function}" is replaced by each function name', targets: ['aws'] },
      'endpoint-url': { type: 'string', value: '<url>', help: 'Lambda API endpoint, e.g. a running faasport dev', targets: ['aws'] },
      prefix: { type: 'string', value: '<name>', help: 'Lambda function names are <prefix>-<function> (default: the app name)', targets: ['aws'] },
      env: { type: 'string', multiple: true, value: 'KEY=VALUE', help: 'environment variable for every function (repeatable)', targets: ['aws'] },
      'resource-group': { type: 'string', value: '<name>', help: 'resource group (default: <app>-rg)', targets: ['azure'] },
      location: { type: 'string', value: '<location>', help: 'Azure location (default: westeurope)', targets: ['azure'] },
      project: { type: 'string', value: '<id>', help: 'Google Cloud project', targets: ['gcp'] },
      var: { type: 'string', multiple: true, value: 'NAME=VALUE', help: 'a variable of deploy.sh (repeatable)', targets: ['gcp'] },
      yes: { type: 'boolean', help: 'run the az / gcloud commands instead of printing them', targets: ['azure', 'gcp'] },
    },
  },
  cost: {
    args: '<app.ts>',
    summary: 'What the app would cost a month as functions and as containers on each cloud, and where they cross (writes an SVG chart).',
    options: {
      rps: { type: 'string', value: '<n>', help: 'HTTP requests per second, averaged over the month' },
      'requests-per-month': { type: 'string', value: '<n>', help: 'HTTP requests a month (instead of --rps)' },
      'duration-ms': { type: 'string', value: '<ms>', help: 'time one invocation runs (default: 100)' },
      'memory-mb': { type: 'string', value: '<mb>', help: 'memory of a function instance' },
      'messages-per-month': {
        type: 'string',
        multiple: true,
        value: '[name=]<n>',
        help: 'messages a month, for every queue/topic or one by name (repeatable)',
      },
      'message-bytes': { type: 'string', value: '<n>', help: 'size of one message (default: 1024)' },
      region: { type: 'string', multiple: true, value: '[cloud=]<region>', help: 'region whose prices to use (repeatable)' },
      prices: { type: 'string', value: '<file>', help: 'your own price table (JSON), laid over the built-in one' },
      measure: { type: 'boolean', help: "time the app's functions locally on sample input (an estimate)" },
      chart: { type: 'string', value: '<file.svg>', help: 'where the chart goes (default: faasport-cost-<app>.svg)' },
      json: { type: 'boolean', help: 'print the estimate as JSON' },
    },
  },
  conformance: {
    args: '',
    summary: 'Run the conformance suite against adapters and print the matrix (a module alone runs beside the four built-ins).',
    options: {
      adapter: {
        type: 'string',
        multiple: true,
        value: 'local|aws|azure|gcp|container|<module>',
        help: 'an adapter to run (repeatable; default: local, aws, azure, gcp)',
      },
      only: { type: 'boolean', help: 'run only the --adapter modules, without the built-ins' },
      out: { type: 'string', value: '<dir>', help: 'where matrix.json and matrix.md go (default: conformance-report)' },
      readme: { type: 'string', value: '<file>', help: 'replace the matrix section of this README' },
    },
  },
};

/** The options of `command`, its own and the common ones. */
function optionsOf(command: string): Record<string, CliOption> {
  return { ...COMMANDS[command]!.options, ...COMMON_OPTIONS };
}

/**
 * Parses the arguments of `command` against its table. An unknown option is a UNKNOWN_OPTION
 * error naming the closest known one.
 */
export function parseCommandArgs(
  command: string,
  args: readonly string[],
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  const options = optionsOf(command);
  try {
    const { values, positionals } = parseArgs({
      args: joinNegativeValues(args),
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        Object.entries(options).map(([name, o]) => [
          name,
          { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(name === 'help' ? { short: 'h' } : {}) },
        ]),
      ),
    });
    return { values: values as Record<string, string | boolean | string[] | undefined>, positionals };
  } catch (err) {
    const code = (err as { code?: string }).code;
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec((err as Error).message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
      const near = closest(unknown.replace(/^-+/, ''), Object.keys(options));
      throw new FaasportError(
        'UNKNOWN_OPTION',
        `unknown option ${unknown}${near ? ` (did you mean --${near}?)` : ''}; run "faasport ${command} --help" for its options`,
        {
          details: { option: unknown },
        },
      );
    }
    if (code?.startsWith('ERR_PARSE_ARGS')) {
      throw new FaasportError('CONFIG_INVALID', `${(err as Error).message.split('\n')[0]}; run "faasport ${command} --help" for its options`, {
        cause: err,
        details: { usage: true },
      });
    }
    throw err;
  }
}

/** "--port -5" → "--port=-5": parseArgs would take "-5" for an option and never show the value to the range check. */
export function joinNegativeValues(args: readonly string[]): string[] {
  const flag = /^--[a-z-]+$/;
  const negative = /^-\d/;
  return args.flatMap((arg, i) => {
    if (negative.test(arg) && flag.test(args[i - 1] ?? '')) return [];
    return flag.test(arg) && negative.test(args[i + 1] ?? '') ? [`${arg}=${args[i + 1]}`] : [arg];
  });
}

/** `faasport <command> --help`. */
export function commandHelp(command: string): string {
  const spec = COMMANDS[command]!;
  const flag = (name: string, o: CliOption): string => `${name === 'help' ? '-h, ' : ''}--${name}${o.value ? ` ${o.value}` : ''}`;
  const entries = Object.entries(optionsOf(command));
  const width = Math.max(...entries.map(([n, o]) => flag(n, o).length)) + 2;
  const line = ([name, o]: [string, CliOption]): string => `  ${flag(name, o).padEnd(width)}${o.help}`;
  const lines = [`Usage: faasport ${command}${spec.args ? ` ${spec.args}` : ''} [options]`, '', spec.summary, '', 'Options:'];
  const general = entries.filter(([, o]) => !o.targets);
  lines.push(...general.map(line));
  const targets = [...new Set(entries.flatMap(([, o]) => o.targets ?? []))];
  for (const t of targets) {
    lines.push('', `Options for --target ${t}:`, ...entries.filter(([, o]) => o.targets?.includes(t)).map(line));
  }
  return lines.join('\n');
}

/** `faasport --help`. */
export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 2;
  return [
    'faasport — write a serverless function once, run it on AWS, Azure, Google Cloud or locally',
    '',
    'Usage: faasport <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`),
    '',
    'Run "faasport <command> --help" for the options of a command; "faasport --version" prints the version.',
  ].join('\n');
}

/** The known command closest to a mistyped one. */
export function closestCommand(name: string): string | undefined {
  return closest(name, Object.keys(COMMANDS));
}
