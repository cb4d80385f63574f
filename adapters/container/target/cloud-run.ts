import {
  producerTargets,
  type App,
  type EventFunctionDefinition,
  type QueueDefinition,
  type QueueFunctionDefinition,
  type ScheduleFunctionDefinition,
} from 'faasport';
import { gcpNames } from 'faasport/gcp';
import { everyToCron } from 'faasport/gcp/target';
import { EVENTS_PATH, HEALTH_PATH, schedulePath } from '../runtime/control-api.js';
import { CONTAINER_PORT } from './dockerfile.js';
import { toYamlDocuments, type YamlValue } from './yaml.js';

export const CLOUD_RUN_FILE = 'cloud-run.yaml';
/** Cloud Run allows 10 s between SIGTERM and SIGKILL; the server drains within 8. */
export const CLOUD_RUN_GRACE_MS = 8_000;

const PUBSUB = 'pubsub.cnrm.cloud.google.com/v1beta1';
const IAM = 'iam.cnrm.cloud.google.com/v1beta1';
const RUN = 'run.cnrm.cloud.google.com/v1beta1';

/** The secret (Secret Manager) that holds FAASPORT_CONTROL_TOKEN; the file names it, never its value. */
export const controlTokenSecret = (appName: string): string => `${appName}-control-token`;
/** The private service that platform callers (Cloud Scheduler, Eventarc) reach: `<app>-control`. */
export const controlServiceName = (appName: string): string => `${appName}-control`;

/**
 * The Google Cloud deployment of a container-built app, as one multi-document YAML file:
 * the Cloud Run service (Knative `serving.knative.dev/v1`, for `gcloud run services replace`)
 * with CPU always allocated and at least one instance (pull consumers run between
 * requests), and, as Config Connector resources (`kubectl apply`), the Pub/Sub topics, one
 * pull subscription per consumer with a dead-letter policy (Pub/Sub then counts deliveries,
 * which the consumer needs for maxAttempts; the policy's own forwarding is the backstop),
 * dead-letter topics with pull subscriptions to read them, and a service account granted only
 * subscribe/view on its subscriptions and publish on the topics its functions declare in
 * `sends` and on its dead-letter topics.
 *
 * Access: the service is private (no `allUsers` invoker) unless an HTTP function is `public`.
 * Schedules and events reach a second service, `<app>-control`: the same image with no
 * consumers, scaling to zero, never public, so Cloud Run's IAM is its gate
 * (FAASPORT_CONTROL_AUTH=platform-iam): Cloud Scheduler jobs call it with an OIDC token of
 * `<app>-scheduler`, Eventarc triggers deliver to it (binary-mode CloudEvents, OIDC) as
 * `<app>-events`, and only those two accounts are granted `run.invoker` on it. Other callers
 * use FAASPORT_CONTROL_TOKEN, which both services read from Secret Manager (`secretKeyRef` to
 * `<app>-control-token`; the runner account may read that one secret); its value is never in
 * this file. `${PROJECT_ID}`, `${PROJECT_NUMBER}`, `${REGION}`, `${IMAGE}` and
 * `${CONTROL_SERVICE_URL}` (the control service's URL, once deployed) are placeholders to fill
 * in (envsubst), and `${EVENT_TYPE_<FUNCTION>}` for an event function whose `type` is not one
 * exact type (Eventarc matches exact types).
 */
export function cloudRunDocuments(app: App): YamlValue[] {
  const names = gcpNames(app.name);
  const account = `${app.name}-runner`;
  const email = (id: string): string => `${id}@\${PROJECT_ID}.iam.gserviceaccount.com`;
  const member = `serviceAccount:${email(account)}`;
  const pubsubAgent = 'serviceAccount:service-${PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com';
  const consumers = app.functions.filter((f): f is QueueFunctionDefinition => f.kind === 'queue' || f.kind === 'topic');
  const schedules = app.functions.filter((f): f is ScheduleFunctionDefinition => f.kind === 'schedule');
  const events = app.functions.filter((f): f is EventFunctionDefinition => f.kind === 'event');
  const publicHttp = app.functions.some((f) => f.kind === 'http' && f.public);
  const control = schedules.length + events.length > 0;
  const secret = controlTokenSecret(app.name);
  const docs: YamlValue[] = [];
  const grant = (name: string, role: string, kind: 'PubSubTopic' | 'PubSubSubscription', resource: string, who = member): void => {
    docs.push({
      apiVersion: IAM,
      kind: 'IAMPolicyMember',
      metadata: { name },
      spec: { member: who, role, resourceRef: { apiVersion: PUBSUB, kind, name: resource } },
    });
  };
  const invoker = (name: string, service: string, who: string): void => {
    docs.push({
      apiVersion: IAM,
      kind: 'IAMPolicyMember',
      metadata: { name },
      spec: {
        member: who,
        role: 'roles/run.invoker',
        resourceRef: { apiVersion: RUN, kind: 'RunService', external: `projects/\${PROJECT_ID}/locations/\${REGION}/services/${service}` },
      },
    });
  };
  const deadLetterSources = new Set<QueueDefinition>();
  const service = (role: 'main' | 'control'): YamlValue => ({
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: role === 'main' ? app.name : controlServiceName(app.name), annotations: { 'run.googleapis.com/ingress': 'all' } },
    spec: {
      template: {
        metadata: {
          annotations:
            role === 'main'
              ? {
                  'autoscaling.knative.dev/minScale': '1',
                  'autoscaling.knative.dev/maxScale': '10',
                  'run.googleapis.com/cpu-throttling': 'false',
                  'run.googleapis.com/startup-cpu-boost': 'true',
                }
              : { 'autoscaling.knative.dev/minScale': '0', 'autoscaling.knative.dev/maxScale': '10' },
        },
        spec: {
          serviceAccountName: email(account),
          containerConcurrency: 80,
          timeoutSeconds: Math.max(
            60,
            ...app.functions
              .filter((f) => (role === 'main' ? f.kind === 'http' : f.kind === 'schedule' || f.kind === 'event'))
              .map((f) => Math.ceil(f.timeoutMs / 1000)),
          ),
          containers: [
            {
              image: '${IMAGE}',
              ports: [{ name: 'http1', containerPort: CONTAINER_PORT }],
              env: [
                { name: 'NODE_ENV', value: 'production' },
                { name: 'GOOGLE_CLOUD_PROJECT', value: '${PROJECT_ID}' },
                { name: 'FAASPORT_GRACE_MS', value: String(CLOUD_RUN_GRACE_MS) },
                ...(control ? [{ name: 'FAASPORT_CONTROL_TOKEN', valueFrom: { secretKeyRef: { name: secret, key: 'latest' } } }] : []),
                ...(role === 'control'
                  ? [
                      { name: 'FAASPORT_CONSUMERS', value: 'none' },
                      { name: 'FAASPORT_CONTROL_AUTH', value: 'platform-iam' },
                    ]
                  : []),
              ],
              resources: { limits: { cpu: '1', memory: `${Math.max(512, ...app.functions.map((f) => f.memoryMb))}Mi` } },
              startupProbe: { httpGet: { path: HEALTH_PATH, port: CONTAINER_PORT }, periodSeconds: 2, failureThreshold: 15 },
              livenessProbe: { httpGet: { path: HEALTH_PATH, port: CONTAINER_PORT }, periodSeconds: 15 },
            },
          ],
        },
      },
    },
  });

  docs.push(service('main'));
  if (publicHttp) invoker(`${app.name}-public-invoker`, app.name, 'allUsers');
  if (control) {
    docs.push(service('control'));
    docs.push({
      apiVersion: 'secretmanager.cnrm.cloud.google.com/v1beta1',
      kind: 'SecretManagerSecret',
      metadata: { name: secret },
      spec: { replication: { automatic: true } },
    });
    docs.push({
      apiVersion: IAM,
      kind: 'IAMPolicyMember',
      metadata: { name: `${secret}-reader` },
      spec: {
        member,
        role: 'roles/secretmanager.secretAccessor',
        resourceRef: { apiVersion: 'secretmanager.cnrm.cloud.google.com/v1beta1', kind: 'SecretManagerSecret', name: secret },
      },
    });
  }
  if (schedules.length > 0) {
    docs.push({
      apiVersion: IAM,
      kind: 'IAMServiceAccount',
      metadata: { name: `${app.name}-scheduler` },
      spec: { displayName: `faasport app ${app.name}: Cloud Scheduler caller` },
    });
    invoker(`${app.name}-scheduler-invoker`, controlServiceName(app.name), `serviceAccount:${email(`${app.name}-scheduler`)}`);
  }
  if (events.length > 0) {
    const eventsAccount = `${app.name}-events`;
    docs.push({
      apiVersion: IAM,
      kind: 'IAMServiceAccount',
      metadata: { name: eventsAccount },
      spec: { displayName: `faasport app ${app.name}: Eventarc deliveries` },
    });
    invoker(`${eventsAccount}-invoker`, controlServiceName(app.name), `serviceAccount:${email(eventsAccount)}`);
    // Eventarc requires its trigger's account to hold eventReceiver on the project; that role grants nothing else.
    docs.push({
      apiVersion: IAM,
      kind: 'IAMPolicyMember',
      metadata: { name: `${eventsAccount}-receiver` },
      spec: {
        member: `serviceAccount:${email(eventsAccount)}`,
        role: 'roles/eventarc.eventReceiver',
        resourceRef: { kind: 'Project', external: 'projects/${PROJECT_ID}' },
      },
    });
    for (const fn of events) {
      const exact = fn.type !== undefined && !fn.type.includes('*');
      docs.push({
        apiVersion: 'eventarc.cnrm.cloud.google.com/v1beta1',
        kind: 'EventarcTrigger',
        metadata: { name: `${app.name}-${fn.name}`.toLowerCase() },
        spec: {
          location: '${REGION}',
          matchingCriteria: [{ attribute: 'type', value: exact ? fn.type! : `\${EVENT_TYPE_${fn.name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}}` }],
          destination: { cloudRunService: { serviceRef: { external: controlServiceName(app.name) }, region: '${REGION}', path: EVENTS_PATH } },
          serviceAccountRef: { name: eventsAccount },
        },
      });
    }
  }
  docs.push({ apiVersion: IAM, kind: 'IAMServiceAccount', metadata: { name: account }, spec: { displayName: `faasport app ${app.name} (container)` } });
  for (const source of [...app.queues, ...app.topics]) docs.push({ apiVersion: PUBSUB, kind: 'PubSubTopic', metadata: { name: names.topic(source.name) } });

  for (const fn of consumers) {
    const subscription = names.subscription(fn.source.name, fn.name);
    const deadLetterTopic = names.deadLetterTopic(fn.source.name);
    deadLetterSources.add(fn.source);
    docs.push({
      apiVersion: PUBSUB,
      kind: 'PubSubSubscription',
      metadata: { name: subscription },
      spec: {
        topicRef: { name: names.topic(fn.source.name) },
        ackDeadlineSeconds: 30,
        messageRetentionDuration: '604800s',
        // Required: it makes Pub/Sub count deliveries. 5-100; the consumer dead-letters at maxAttempts itself.
        deadLetterPolicy: { deadLetterTopicRef: { name: deadLetterTopic }, maxDeliveryAttempts: Math.min(100, Math.max(5, fn.source.maxAttempts)) },
        retryPolicy: { minimumBackoff: '1s', maximumBackoff: '600s' },
      },
    });
    grant(`${subscription}-subscriber`, 'roles/pubsub.subscriber', 'PubSubSubscription', subscription);
    // The consumer reads its subscription's dead-letter policy before it receives.
    grant(`${subscription}-viewer`, 'roles/pubsub.viewer', 'PubSubSubscription', subscription);
    grant(`${subscription}-forwarder`, 'roles/pubsub.subscriber', 'PubSubSubscription', subscription, pubsubAgent);
  }
  for (const source of deadLetterSources) {
    const topic = names.deadLetterTopic(source.name);
    docs.push({ apiVersion: PUBSUB, kind: 'PubSubTopic', metadata: { name: topic } });
    docs.push({
      apiVersion: PUBSUB,
      kind: 'PubSubSubscription',
      metadata: { name: names.deadLetterSubscription(source.name) },
      spec: { topicRef: { name: topic }, messageRetentionDuration: '604800s' },
    });
    grant(`${topic}-writer`, 'roles/pubsub.publisher', 'PubSubTopic', topic);
    grant(`${topic}-forwarder`, 'roles/pubsub.publisher', 'PubSubTopic', topic, pubsubAgent);
  }
  const published = new Set<string>();
  for (const fn of app.functions) {
    const targets = producerTargets(app, fn);
    for (const d of [...targets.queues, ...targets.topics]) published.add(names.topic(d.name));
  }
  for (const topic of published) grant(`${topic}-publisher`, 'roles/pubsub.publisher', 'PubSubTopic', topic);
  for (const fn of schedules) {
    docs.push({
      apiVersion: 'cloudscheduler.cnrm.cloud.google.com/v1beta1',
      kind: 'CloudSchedulerJob',
      metadata: { name: `${app.name}-${fn.name}`.toLowerCase() },
      spec: {
        location: '${REGION}',
        schedule: fn.cron ?? everyToCron(fn.name, fn.everyMs!),
        timeZone: fn.timezone ?? 'Etc/UTC',
        retryConfig: { retryCount: 3 },
        httpTarget: {
          uri: `\${CONTROL_SERVICE_URL}${schedulePath(fn.name)}`,
          httpMethod: 'POST',
          // Cloud Run checks the token and the caller's run.invoker grant before the request reaches the container.
          oidcToken: { serviceAccountEmail: email(`${app.name}-scheduler`), audience: '${CONTROL_SERVICE_URL}' },
        },
      },
    });
  }
  return docs;
}

/** The text of `cloud-run.yaml`. */
export function cloudRunYaml(app: App): string {
  return `# faasport app "${app.name}" on Cloud Run (generated by faasport build --target container --cloud gcp; edit the app, not this file)\n${toYamlDocuments(cloudRunDocuments(app))}`;
}
