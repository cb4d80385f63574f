import { producerTargets, type App, type QueueDefinition, type QueueFunctionDefinition, type ScheduleFunctionDefinition } from '../../../src/index.js';
import { gcpNames } from '../../gcp/names.js';
import { everyToCron } from '../../gcp/deploy-plan.js';
import { CONTROL_TOKEN_HEADER, HEALTH_PATH, schedulePath } from '../runtime/control-api.js';
import { CONTAINER_PORT } from './dockerfile.js';
import { toYamlDocuments, type YamlValue } from './yaml.js';

export const CLOUD_RUN_FILE = 'cloud-run.yaml';
/** Cloud Run allows 10 s between SIGTERM and SIGKILL; the server drains within 8. */
export const CLOUD_RUN_GRACE_MS = 8_000;

const PUBSUB = 'pubsub.cnrm.cloud.google.com/v1beta1';
const IAM = 'iam.cnrm.cloud.google.com/v1beta1';

/**
 * The Google Cloud deployment of a container-built app, as one multi-document YAML file:
 * the Cloud Run service (Knative `serving.knative.dev/v1`, for `gcloud run services replace`)
 * with CPU always allocated and at least one instance (pull consumers run between
 * requests), and, as Config Connector resources (`kubectl apply`), the Pub/Sub topics, one
 * pull subscription per consumer with a dead-letter policy (Pub/Sub then counts deliveries,
 * which the consumer needs for maxAttempts; the policy's own forwarding is the backstop),
 * dead-letter topics with pull subscriptions to read them, Cloud Scheduler jobs calling
 * the protected schedule endpoint, and a service account granted only subscribe/view on
 * its subscriptions and publish on the topics its functions declare in `sends` and on its
 * dead-letter topics. `${PROJECT_ID}`, `${PROJECT_NUMBER}`, `${REGION}`, `${IMAGE}`,
 * `${SERVICE_URL}` and `${CONTROL_TOKEN}` are placeholders to fill in (envsubst).
 */
export function cloudRunDocuments(app: App): YamlValue[] {
  const names = gcpNames(app.name);
  const account = `${app.name}-runner`;
  const member = `serviceAccount:${account}@\${PROJECT_ID}.iam.gserviceaccount.com`;
  const pubsubAgent = 'serviceAccount:service-${PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com';
  const consumers = app.functions.filter((f): f is QueueFunctionDefinition => f.kind === 'queue' || f.kind === 'topic');
  const schedules = app.functions.filter((f): f is ScheduleFunctionDefinition => f.kind === 'schedule');
  const docs: YamlValue[] = [];
  const grant = (name: string, role: string, kind: 'PubSubTopic' | 'PubSubSubscription', resource: string, who = member): void => {
    docs.push({ apiVersion: IAM, kind: 'IAMPolicyMember', metadata: { name }, spec: { member: who, role, resourceRef: { apiVersion: PUBSUB, kind, name: resource } } });
  };
  const deadLetterSources = new Set<QueueDefinition>();

  docs.push({
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: app.name, annotations: { 'run.googleapis.com/ingress': 'all' } },
    spec: {
      template: {
        metadata: {
          annotations: {
            'autoscaling.knative.dev/minScale': '1',
            'autoscaling.knative.dev/maxScale': '10',
            'run.googleapis.com/cpu-throttling': 'false',
            'run.googleapis.com/startup-cpu-boost': 'true',
          },
        },
        spec: {
          serviceAccountName: `${account}@\${PROJECT_ID}.iam.gserviceaccount.com`,
          containerConcurrency: 80,
          timeoutSeconds: Math.max(60, ...app.functions.filter((f) => f.kind === 'http').map((f) => Math.ceil(f.timeoutMs / 1000))),
          containers: [
            {
              image: '${IMAGE}',
              ports: [{ name: 'http1', containerPort: CONTAINER_PORT }],
              env: [
                { name: 'NODE_ENV', value: 'production' },
                { name: 'GOOGLE_CLOUD_PROJECT', value: '${PROJECT_ID}' },
                { name: 'FAASPORT_GRACE_MS', value: String(CLOUD_RUN_GRACE_MS) },
                ...(schedules.length > 0 ? [{ name: 'FAASPORT_CONTROL_TOKEN', value: '${CONTROL_TOKEN}' }] : []),
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
    docs.push({ apiVersion: PUBSUB, kind: 'PubSubSubscription', metadata: { name: names.deadLetterSubscription(source.name) }, spec: { topicRef: { name: topic }, messageRetentionDuration: '604800s' } });
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
          uri: `\${SERVICE_URL}${schedulePath(fn.name)}`,
          httpMethod: 'POST',
          headers: { [CONTROL_TOKEN_HEADER]: '${CONTROL_TOKEN}' },
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
