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
 * import { gcpDeploySteps } from 'faasport/gcp';
 * const app = createApp('shop');
 * app.http('hello', { route: '/hello' }, () => new Response('hi'));
 * gcpDeploySteps(app).find((s) => s.argv[2] === 'deploy')!.argv; // [..., '--no-allow-unauthenticated', ...]
 * ```
 */
export function gcpDeploySteps(app: App, options: GcpDeployScriptOptions = {}): CliStep[] {
  assertGcpSupported(app);
  checkSends(app, options.sends);
  const plan = planDeployment(app);
  const names = gcpNames(app.name);
  const project = ['--project=${PROJECT}'];
  const steps: CliStep[] = [
    {
      title: 'look up the project number (for the Pub/Sub service agent)',
      argv: ['gcloud', 'projects', 'describe', '${PROJECT}', '--format=value(projectNumber)'],
      output: 'PROJECT_NUMBER',
    },
  ];
  for (const topic of plan.topics) {
    steps.push({
      title: `topic ${topic}`,
      argv: ['gcloud', 'pubsub', 'topics', 'create', topic, ...project],
      unless: ['gcloud', 'pubsub', 'topics', 'describe', topic, ...project],
    });
  }
  for (const topic of plan.deadLetterTopics) {
    steps.push(
      {
        title: `dead-letter topic ${topic}`,
        argv: ['gcloud', 'pubsub', 'topics', 'create', topic, ...project],
        unless: ['gcloud', 'pubsub', 'topics', 'describe', topic, ...project],
      },
      {
        title: `pull subscription ${topic}, so dead letters stay readable`,
        argv: ['gcloud', 'pubsub', 'subscriptions', 'create', topic, `--topic=${topic}`, '--message-retention-duration=7d', ...project],
        unless: ['gcloud', 'pubsub', 'subscriptions', 'describe', topic, ...project],
      },
      {
        title: `Pub/Sub may forward undeliverable messages to ${topic}`,
        argv: ['gcloud', 'pubsub', 'topics', 'add-iam-policy-binding', topic, `--member=${PUBSUB_AGENT}`, '--role=roles/pubsub.publisher', ...project],
      },
    );
  }

  for (const fn of plan.functions) {
    const def = app.getFunction(fn.name)!;
    const account = serviceAccountId(app.name, fn.name);
    const email = `${account}@\${PROJECT}.iam.gserviceaccount.com`;
    const member = `--member=serviceAccount:${email}`;
    steps.push({
      title: `service account ${account} for function ${fn.name}`,
      argv: ['gcloud', 'iam', 'service-accounts', 'create', account, `--display-name=faasport ${app.name}/${fn.name}`, ...project],
      unless: ['gcloud', 'iam', 'service-accounts', 'describe', email, ...project],
    });
    const targets = producerTargets(app, def, options.sends);
    for (const source of [...targets.queues, ...targets.topics]) {
      const topic = names.topic(source.name);
      steps.push({
        title: `${fn.name} may publish to ${topic}`,
        argv: ['gcloud', 'pubsub', 'topics', 'add-iam-policy-binding', topic, member, '--role=roles/pubsub.publisher', ...project],
      });
    }
    if (fn.deadLetter && writesOwnDeadLetters(def)) {
      steps.push({
        title: `${fn.name} may write its dead letters to ${fn.deadLetter.topic}`,
        argv: ['gcloud', 'pubsub', 'topics', 'add-iam-policy-binding', fn.deadLetter.topic, member, '--role=roles/pubsub.publisher', ...project],
      });
    }
    steps.push({ title: `deploy function ${fn.name}`, argv: deployArgv(plan.runtime, fn, email) });
    if (!('http' in fn.trigger)) {
      steps.push({
        title: `only ${fn.name}'s trigger may invoke it`,
        argv: ['gcloud', 'functions', 'add-invoker-policy-binding', fn.name, '--region=${REGION}', member, ...project],
      });
    }
    if (fn.deadLetter) {
      const v = envName(fn.name);
      const d = fn.deadLetter;
      steps.push(
        {
          title: `find the Eventarc trigger of ${fn.name}`,
          argv: ['gcloud', 'functions', 'describe', fn.name, '--gen2', '--region=${REGION}', '--format=value(eventTrigger.trigger)', ...project],
          output: `TRIGGER_${v}`,
        },
        {
          title: `find the Pub/Sub subscription of ${fn.name}'s trigger`,
          argv: [
            'gcloud',
            'eventarc',
            'triggers',
            'describe',
            `\${TRIGGER_${v}}`,
            '--location=${REGION}',
            '--format=value(transport.pubsub.subscription)',
            ...project,
          ],
          output: `SUBSCRIPTION_${v}`,
        },
        {
          title: `dead-letter ${fn.name}'s messages to ${d.topic} after ${d.maxDeliveryAttempts} attempts${d.maxAttempts < d.maxDeliveryAttempts ? ` (Pub/Sub's floor; the function itself dead-letters at ${d.maxAttempts})` : ''}`,
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
            ...project,
          ],
        },
        {
          title: `Pub/Sub may acknowledge dead-lettered messages on ${fn.name}'s subscription`,
          argv: [
            'gcloud',
            'pubsub',
            'subscriptions',
            'add-iam-policy-binding',
            `\${SUBSCRIPTION_${v}}`,
            `--member=${PUBSUB_AGENT}`,
            '--role=roles/pubsub.subscriber',
            ...project,
          ],
        },
      );
    }
    if (fn.schedule) {
      const s = fn.schedule;
      const flags = ['--location=${REGION}', `--schedule=${s.cron}`, `--time-zone=${s.timeZone}`, `--topic=${s.topic}`, '--message-body={}', ...project];
      steps.push(
        {
          title: `schedule job ${s.job}`,
          argv: ['gcloud', 'scheduler', 'jobs', 'create', 'pubsub', s.job, ...flags],
          unless: ['gcloud', 'scheduler', 'jobs', 'describe', s.job, '--location=${REGION}', ...project],
        },
        { title: `schedule job ${s.job}: current schedule`, argv: ['gcloud', 'scheduler', 'jobs', 'update', 'pubsub', s.job, ...flags] },
      );
    }
  }
  return steps;
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
 * import { writeInfrastructure } from 'faasport/gcp';
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
    '--project=${PROJECT}',
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
