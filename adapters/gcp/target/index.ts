import { defineTarget } from 'faasport';
import { adapter } from '../runtime/adapter.js';
import { expectedFailures } from '../testing/expected-failures.js';
import { build } from './build.js';
import { deploy } from './deploy.js';
import { writeInfrastructure } from './infrastructure.js';
export { build } from './build.js';
export { planDeployment, everyToCron } from './deploy-plan.js';
export type { DeployPlan, DeployedFunction } from './deploy-plan.js';
export { gcpDeploySteps, gcpDeployScript, writeInfrastructure } from './infrastructure.js';
export { deploy } from './deploy.js';

/**
 * The gcp target, as `faasport build|deploy|conformance --target gcp` loads it (through this
 * package entry, `faasport/gcp/target`, the way the CLI loads a third party's module): the
 * adapter, the build (a gcloud script) and the conformance harness. The harness and the emulators it
 * starts load only when the suite runs.
 */
export const target = defineTarget({
  adapter,
  build,
  writeInfrastructure,
  deploy,
  conformanceHarness: async () => (await import('../testing/harness.js')).gcpHarness(),
  expectedFailures,
});
