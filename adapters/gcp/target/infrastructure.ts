import { createHash } from 'node:crypto';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkSends, producerTargets, type App, type BuildOptions, type BuildResult, type FunctionDefinition } from 'faasport';
import { planDeployment, type DeployedFunction } from './deploy-plan.js';
import { renderScript, type CliStep } from 'faasport/adapter-kit';
import { gcpNames } from '../runtime/names.js';
import { assertGcpSupported } from '../runtime/check-app.js';

export interface GcpDeployScriptOptions {
  /** Queues and topics each function may publish to, by function name (default: all of the app's; see the AWS template). */
  readonly sends?: Readonly<Record<string, readonly string[]>>;
}

/** The script `faasport build --target gcp` leaves beside the source. */
export const DEPLOY_SCRIPT = 'deploy.sh';
/** Variables every step may use; `deploy` fills them in, the script reads them from the environment. */
export const GCP_VARIABLES = { PROJECT: '$(gcloud config get-value project)', REGION: 'us-central1', SRC: '$(cd "$(dirname "$0")" && pwd)' } as const;

/** The flag every gcloud step carries: the script's PROJECT, not gcloud's configured default. */
const PROJECT = '--project=${PROJECT}';
const PUBSUB_AGENT = 'serviceAccount:service-${PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com';
/** Ingress for functions nobody calls over HTTP: traffic from the project's own services (Eventarc, Pub/Sub) and VPC only. */
const INTERNAL_ONLY = '--ingress-settings=internal-only';
/** Cloud Functions (2nd gen) memory sizes, MiB. */
const MEMORY_TIERS = [128, 256, 512, 1024, 2048, 4096, 8192, 16_384, 32_768];

/**
 * The gcloud commands that deploy an app to Cloud Functions (2nd gen), least privilege
 * first: one service account per function, used both as the function's runtime identity
 * and as its trigger's identity (granted `roles/run.invoker` on that function only), with
 * `roles/pubsub.publisher` granted on individual topics, never on the project: the topics
 * it may send to (the ones its definition declares in `sends`; `options.sends` replaces that list) and, for a
 * consumer, its own dead-letter topic (the SDK publishes the dead-letter record there on the
 * last attempt).
 *
 * Then per function `gcloud functions deploy --gen2 --runtime=nodejs22` with its memory,
 * timeout and `--min-instances` from `warm`; HTTP functions `--trigger-http` and
 * `--no-allow-unauthenticated` unless public; queue consumers, topic subscribers and
 * schedules `--trigger-topic` with `--retry`; events `--trigger-event-filters` with
 * `--retry`; every function that is not HTTP with `--ingress-settings=internal-only` (its
 * trigger reaches it from inside Google, nothing else needs its URL); and on each trigger's
 * Pub/Sub subscription a dead-letter topic with `--max-delivery-attempts` = max(5,
 * maxAttempts) (Pub/Sub's floor is 5; below it the consumer dead-letters on attempt
 * maxAttempts itself) and the backoff as retry delays. Topics, dead-letter
 * topics (each with a pull subscription so dead letters stay readable) and Cloud Scheduler
 * jobs are created when missing; every step is safe to run again.
 *
 * An event function without an exact CloudEvents `type` needs `EVENT_TYPE_<NAME>` set:
 * Eventarc routes by exact type. An app GCP cannot run (e.g. an event function with fewer
 * than 5 attempts, which only Pub/Sub's policy can count) is refused with CAPABILITY_UNSUPPORTED.
 *
 * @example
 * ```ts
 * import { createApp } from 'faasport';
 * import { gcpDeploySteps } from 'faasport/gcp/target';
 * const app = createApp('shop');
 * app.http('hello', { route: '/hello' }, () => new Response('hi'));
 * gcpDeploySteps(app).find((s) => s.argv[2] === 'deploy')!.argv; // [..., '--no-allow-unauthenticated', ...]
 * ```
 */
export function gcpDeploySteps(app: App, options: GcpDeployScriptOptions = {}): CliStep[] {
  assertGcpSupported(app);
  checkSends(app, options.sends);
  const plan = planDeployment(app);
  return [
    projectNumberStep(),
    ...plan.topics.flatMap(topicSteps),
    ...plan.deadLetterTopics.flatMap(deadLetterTopicSteps),
    ...plan.functions.flatMap((fn) => functionSteps(app, plan.runtime, fn, options.sends)),
  ];
}

/** The service account one function runs as, and its trigger invokes it as. */
interface FunctionIdentity {
  readonly account: string;
  readonly email: string;
  /** `--member=serviceAccount:<email>`, for IAM bindings. */
  readonly member: string;
}

/** One function's steps, in deploy order: identity and grants, the function, then what hangs on its trigger. */
function functionSteps(app: App, runtime: string, fn: DeployedFunction, sends: GcpDeployScriptOptions['sends']): CliStep[] {
  const def = app.getFunction(fn.name)!;
  const identity = functionIdentity(app.name, fn.name);
  return [
    serviceAccountStep(app.name, fn.name, identity),
    ...publisherGrantSteps(app, def, identity, sends),
    ...ownDeadLetterGrantSteps(fn, def, identity),
    { title: `deploy function ${fn.name}`, argv: deployArgv(runtime, fn, identity.email) },
    ...invokerSteps(fn, identity),
    ...(fn.deadLetter ? deadLetterPolicySteps(fn.name, fn.deadLetter) : []),
    ...(fn.schedule ? schedulerJobSteps(fn.schedule) : []),
  ];
}

function projectNumberStep(): CliStep {
  return {
    title: 'look up the project number (for the Pub/Sub service agent)',
    argv: ['gcloud', 'projects', 'describe', '${PROJECT}', '--format=value(projectNumber)'],
    output: 'PROJECT_NUMBER',
  };
}

function topicSteps(topic: string): CliStep[] {
  return [
    {
      title: `topic ${topic}`,
      argv: ['gcloud', 'pubsub', 'topics', 'create', topic, PROJECT],
      unless: ['gcloud', 'pubsub', 'topics', 'describe', topic, PROJECT],
    },
  ];
}

/** A dead-letter topic, a pull subscription that keeps its letters readable, and Pub/Sub's right to forward to it. */
function deadLetterTopicSteps(topic: string): CliStep[] {
  return [
    {
      title: `dead-letter topic ${topic}`,
      argv: ['gcloud', 'pubsub', 'topics', 'create', topic, PROJECT],
      unless: ['gcloud', 'pubsub', 'topics', 'describe', topic, PROJECT],
    },
    {
      title: `pull subscription ${topic}, so dead letters stay readable`,
      argv: ['gcloud', 'pubsub', 'subscriptions', 'create', topic, `--topic=${topic}`, '--message-retention-duration=7d', PROJECT],
      unless: ['gcloud', 'pubsub', 'subscriptions', 'describe', topic, PROJECT],
    },
    {
      title: `Pub/Sub may forward undeliverable messages to ${topic}`,
      argv: ['gcloud', 'pubsub', 'topics', 'add-iam-policy-binding', topic, `--member=${PUBSUB_AGENT}`, '--role=roles/pubsub.publisher', PROJECT],
    },
  ];
}

function functionIdentity(appName: string, fnName: string): FunctionIdentity {
  const account = serviceAccountId(appName, fnName);
  const email = `${account}@\${PROJECT}.iam.gserviceaccount.com`;
  return { account, email, member: `--member=serviceAccount:${email}` };
}

function serviceAccountStep(appName: string, fnName: string, { account, email }: FunctionIdentity): CliStep {
  return {
    title: `service account ${account} for function ${fnName}`,
    argv: ['gcloud', 'iam', 'service-accounts', 'create', account, `--display-name=faasport ${appName}/${fnName}`, PROJECT],
    unless: ['gcloud', 'iam', 'service-accounts', 'describe', email, PROJECT],
  };
}

/** `roles/pubsub.publisher` on each topic the function may send to, never on the project. */
function publisherGrantSteps(app: App, def: FunctionDefinition, { member }: FunctionIdentity, sends: GcpDeployScriptOptions['sends']): CliStep[] {
  const names = gcpNames(app.name);
  const targets = producerTargets(app, def, sends);
  return [...targets.queues, ...targets.topics].map((source) => {
    const topic = names.topic(source.name);
    return {
      title: `${def.name} may publish to ${topic}`,
      argv: ['gcloud', 'pubsub', 'topics', 'add-iam-policy-binding', topic, member, '--role=roles/pubsub.publisher', PROJECT],
    };
  });
}

/** A queue consumer or topic subscriber publishes its own dead-letter record on the last attempt. */
function ownDeadLetterGrantSteps(fn: DeployedFunction, def: FunctionDefinition, { member }: FunctionIdentity): CliStep[] {
  if (!fn.deadLetter || !writesOwnDeadLetters(def)) return [];
  return [
    {
      title: `${fn.name} may write its dead letters to ${fn.deadLetter.topic}`,
      argv: ['gcloud', 'pubsub', 'topics', 'add-iam-policy-binding', fn.deadLetter.topic, member, '--role=roles/pubsub.publisher', PROJECT],
    },
  ];
}

/** An event-driven function is invoked by its trigger's identity alone; an HTTP one keeps the access `deployArgv` set. */
function invokerSteps(fn: DeployedFunction, { member }: FunctionIdentity): CliStep[] {
  if ('http' in fn.trigger) return [];
  return [
    {
      title: `only ${fn.name}'s trigger may invoke it`,
      argv: ['gcloud', 'functions', 'add-invoker-policy-binding', fn.name, '--region=${REGION}', member, PROJECT],
    },
  ];
}

/**
 * The dead-letter policy and retry delays on the Pub/Sub subscription behind a function's
 * Eventarc trigger: the script looks the trigger, then its subscription, up by name.
 */
function deadLetterPolicySteps(fnName: string, d: NonNullable<DeployedFunction['deadLetter']>): CliStep[] {
  const v = envName(fnName);
  return [
    {
      title: `find the Eventarc trigger of ${fnName}`,
      argv: ['gcloud', 'functions', 'describe', fnName, '--gen2', '--region=${REGION}', '--format=value(eventTrigger.trigger)', PROJECT],
      output: `TRIGGER_${v}`,
    },
    {
      title: `find the Pub/Sub subscription of ${fnName}'s trigger`,
      argv: [
        'gcloud',
        'eventarc',
        'triggers',
        'describe',
        `\${TRIGGER_${v}}`,
        '--location=${REGION}',
        '--format=value(transport.pubsub.subscription)',
        PROJECT,
      ],
      output: `SUBSCRIPTION_${v}`,
    },
    {
      title: `dead-letter ${fnName}'s messages to ${d.topic} after ${d.maxDeliveryAttempts} attempts${d.maxAttempts < d.maxDeliveryAttempts ? ` (Pub/Sub's floor; the function itself dead-letters at ${d.maxAttempts})` : ''}`,
      argv: [
        'gcloud',
        'pubsub',
        'subscriptions',
        'update',
        `\${SUBSCRIPTION_${v}}`,
        `--dead-letter-topic=${d.topic}`,
        `--max-delivery-attempts=${d.maxDeliveryAttempts}`,
        `--min-retry-delay=${d.minRetryDelaySeconds}s`,
        `--max-retry-delay=${d.maxRetryDelaySeconds}s`,
        PROJECT,
      ],
    },
    {
      title: `Pub/Sub may acknowledge dead-lettered messages on ${fnName}'s subscription`,
      argv: [
        'gcloud',
        'pubsub',
        'subscriptions',
        'add-iam-policy-binding',
        `\${SUBSCRIPTION_${v}}`,
        `--member=${PUBSUB_AGENT}`,
        '--role=roles/pubsub.subscriber',
        PROJECT,
      ],
    },
  ];
}

/** The Cloud Scheduler job that publishes a schedule's ticks: created once, then kept current. */
function schedulerJobSteps(s: NonNullable<DeployedFunction['schedule']>): CliStep[] {
  const flags = ['--location=${REGION}', `--schedule=${s.cron}`, `--time-zone=${s.timeZone}`, `--topic=${s.topic}`, '--message-body={}', PROJECT];
  return [
    {
      title: `schedule job ${s.job}`,
      argv: ['gcloud', 'scheduler', 'jobs', 'create', 'pubsub', s.job, ...flags],
      unless: ['gcloud', 'scheduler', 'jobs', 'describe', s.job, '--location=${REGION}', PROJECT],
    },
    { title: `schedule job ${s.job}: current schedule`, argv: ['gcloud', 'scheduler', 'jobs', 'update', 'pubsub', s.job, ...flags] },
  ];
}

/** The deploy script text (bash) for the steps of {@link gcpDeploySteps}. */
export function gcpDeployScript(app: App, options: GcpDeployScriptOptions = {}): string {
  return renderScript(
    [`Generated by "faasport build --target gcp" for app "${app.name}"; safe to run again.`, 'PROJECT=my-project REGION=europe-west1 ./deploy.sh'],
    GCP_VARIABLES,
    gcpDeploySteps(app, options),
  );
}

/**
 * Writes `deploy.sh` (the least-privilege gcloud script) into `outDir` atomically. What
 * `faasport build --target gcp` calls after `build`.
 *
 * @example
 * ```ts
 * import { writeInfrastructure } from 'faasport/gcp/target';
 * await writeInfrastructure({ entry, exportName: 'app', outDir: 'dist/gcp', app, log: console.log });
 * ```
 */
export async function writeInfrastructure(options: BuildOptions, scriptOptions: GcpDeployScriptOptions = {}): Promise<BuildResult> {
  const text = gcpDeployScript(options.app, scriptOptions);
  await mkdir(options.outDir, { recursive: true });
  const target = join(options.outDir, DEPLOY_SCRIPT);
  await writeFile(`${target}.tmp`, text);
  await chmod(`${target}.tmp`, 0o755);
  await rename(`${target}.tmp`, target);
  options.log(`gcp: wrote ${DEPLOY_SCRIPT} (one service account per function; run PROJECT=<project> REGION=<region> ./${DEPLOY_SCRIPT})`);
  return { outDir: options.outDir, files: [DEPLOY_SCRIPT] };
}

function deployArgv(runtime: string, fn: DeployedFunction, email: string): string[] {
  const argv = [
    'gcloud',
    'functions',
    'deploy',
    fn.name,
    '--gen2',
    `--runtime=${runtime}`,
    '--region=${REGION}',
    PROJECT,
    '--source=${SRC}',
    `--entry-point=${fn.name}`,
    `--memory=${memoryFlag(fn.memoryMb)}`,
    `--timeout=${fn.timeoutSeconds}s`,
    `--min-instances=${fn.minInstances}`,
    `--service-account=${email}`,
    '--set-env-vars=NODE_ENV=production',
  ];
  const t = fn.trigger;
  if ('http' in t) argv.push('--trigger-http', t.http.public ? '--allow-unauthenticated' : '--no-allow-unauthenticated');
  else {
    if ('topic' in t) argv.push(`--trigger-topic=${t.topic}`);
    else argv.push(`--trigger-event-filters=type=${t.eventType ?? `\${EVENT_TYPE_${envName(fn.name)}}`}`);
    // Only Google's own delivery (Eventarc, Pub/Sub push, Cloud Scheduler through Pub/Sub) reaches an event-driven function: no public URL.
    argv.push(`--trigger-service-account=${email}`, '--retry', INTERNAL_ONLY);
  }
  return argv;
}

/** The smallest Cloud Functions memory size that holds `mb`, as gcloud writes it (`256Mi`, `2Gi`). */
export function memoryFlag(mb: number): string {
  const tier = MEMORY_TIERS.find((t) => t >= mb) ?? MEMORY_TIERS[MEMORY_TIERS.length - 1]!;
  return tier >= 1024 ? `${tier / 1024}Gi` : `${tier}Mi`;
}

/**
 * The service account id of one function: `<app>-<function>`, lower-case, 6-30 characters
 * (a hash keeps long names unique), as IAM requires.
 */
export function serviceAccountId(app: string, fn: string): string {
  let id = `${app}-${fn}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+/g, '-');
  if (!/^[a-z]/.test(id)) id = `f-${id}`;
  if (id.length > 30) id = `${id.slice(0, 23).replace(/-+$/, '')}-${createHash('sha256').update(`${app}/${fn}`).digest('hex').slice(0, 6)}`;
  return id.padEnd(6, '0').replace(/-$/, '0');
}

/**
 * Queue consumers and topic subscribers publish their own dead-letter record on the last
 * attempt (unless the source keeps none); events and schedules leave it to Pub/Sub's policy.
 */
function writesOwnDeadLetters(def: FunctionDefinition): boolean {
  return (def.kind === 'queue' || def.kind === 'topic') && def.source.deadLetter;
}

function envName(fn: string): string {
  return fn.replace(/[^A-Za-z0-9]/g, '_').toUpperCase();
}
