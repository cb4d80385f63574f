import { defineTarget } from 'faasport';
import { adapter } from '../runtime/adapter.js';
import { expectedFailures } from '../testing/expected-failures.js';
import { build } from './build.js';
import { deploy } from './deploy.js';
import { writeInfrastructure } from './infrastructure.js';
export { build } from './build.js';
export { armTemplate, writeInfrastructure, ARM_TEMPLATE_FILE } from './infrastructure.js';
export type { ArmTemplate } from './infrastructure.js';
export { azureDeploySteps } from './deploy-steps.js';
export { deploy } from './deploy.js';

/**
 * The azure target, as `faasport build|deploy|conformance --target azure` loads it (through this
 * package entry, `faasport/azure/target`, the way the CLI loads a third party's module): the
 * adapter, the build (an ARM template, `az` deployment) and the conformance harness. The harness and the emulators it
 * starts load only when the suite runs.
 */
export const target = defineTarget({
  adapter,
  build,
  writeInfrastructure,
  deploy,
  conformanceHarness: async () => (await import('../testing/harness.js')).azureHarness(),
  expectedFailures,
});
