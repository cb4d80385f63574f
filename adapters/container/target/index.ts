import { defineTarget } from 'faasport';
import { adapter } from '../runtime/adapter.js';
import { expectedFailures } from '../testing/expected-failures.js';
import { build } from './build.js';
import { writeInfrastructure } from './infrastructure.js';
export { build, CLOUD_PACKAGES } from './build.js';
export { dockerfile, BASE_IMAGE, SERVER_FILE, CONTAINER_PORT } from './dockerfile.js';
export { runtimeDependencies } from './lockfile.js';
export { writeInfrastructure } from './infrastructure.js';
export { ecsTemplate, ECS_TEMPLATE_FILE } from './ecs-template.js';
export { cloudRunDocuments, cloudRunYaml, CLOUD_RUN_FILE } from './cloud-run.js';
export { containerApp, containerAppYaml, CONTAINER_APP_FILE, SCHEDULER_APP_FILE } from './container-apps.js';
export { eventGridTemplate, EVENT_GRID_FILE } from './event-grid.js';
export { toYaml, toYamlDocuments } from './yaml.js';

/**
 * The container target, as `faasport build|deploy|conformance --target container` loads it (through this
 * package entry, `faasport/container/target`, the way the CLI loads a third party's module): the
 * adapter, the build (an image and ECS, Cloud Run and Container Apps files) and the conformance harness. The harness and the emulators it
 * starts load only when the suite runs.
 */
export const target = defineTarget({
  adapter,
  build,
  writeInfrastructure,
  conformanceHarness: async () => (await import('../testing/harness.js')).containerHarness(),
  expectedFailures,
});
