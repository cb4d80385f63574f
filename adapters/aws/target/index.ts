import { defineTarget } from 'faasport';
import { adapter } from '../runtime/adapter.js';
import { expectedFailures } from '../testing/expected-failures.js';
import { build } from './build.js';
import { deploy } from './deploy.js';
import { writeInfrastructure } from './infrastructure.js';
export { build } from './build.js';
export { awsTemplate, writeAwsInfrastructure, writeInfrastructure, subscriptionQueueName, toHttpApiPath, TEMPLATE_FILE } from './infrastructure.js';
export { APP_EVENT_BUS_ID, eventPattern, isUnfiltered, pascal } from './infrastructure.js';
export type { AwsTemplateOptions, SamTemplate, CfnResource } from './infrastructure.js';
export { toEventBridgeCron, toEventBridgeRate, scheduleExpression } from './encode-schedule-expression.js';
export { deploy, parseDeployArgs } from './deploy.js';
export type { AwsDeployArgs } from './deploy.js';

/**
 * The aws target, as `faasport build|deploy|conformance --target aws` loads it (through this
 * package entry, `faasport/aws/target`, the way the CLI loads a third party's module): the
 * adapter, the build (a SAM template, `sam deploy`) and the conformance harness. The harness and the emulators it
 * starts load only when the suite runs.
 */
export const target = defineTarget({
  adapter,
  build,
  writeInfrastructure,
  deploy,
  conformanceHarness: async () => (await import('../testing/harness.js')).awsHarness(),
  expectedFailures,
});
