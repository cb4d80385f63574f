import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildOptions, BuildResult } from 'faasport';
import { toContainerCloud } from '../runtime/adapter.js';
import { cloudRunYaml, CLOUD_RUN_FILE } from './cloud-run.js';
import { containerAppYaml, CONTAINER_APP_FILE, SCHEDULER_APP_FILE } from './container-apps.js';
import { ecsTemplate, ECS_TEMPLATE_FILE } from './ecs-template.js';
import { eventGridTemplate, EVENT_GRID_FILE } from './event-grid.js';

/**
 * Writes the platform's deploy files beside the built server: `ecs-template.json` (ECS
 * Fargate, CloudFormation) for aws, `cloud-run.yaml` (Cloud Run service and Config
 * Connector Pub/Sub resources) for gcp, `container-app.yaml` (and, with schedules,
 * `container-app-scheduler.yaml`; with event functions, `event-grid.json`) for azure.
 *
 * @example
 * ```ts
 * import { writeInfrastructure } from 'faasport/container/target';
 * await writeInfrastructure({ entry: '/abs/app.ts', exportName: 'app', outDir: '/abs/dist/container', app, log: console.log, cloud: 'gcp' });
 * ```
 */
export async function writeInfrastructure(options: BuildOptions): Promise<BuildResult> {
  const { app } = options;
  const cloud = toContainerCloud(options.cloud, `container infrastructure of app "${app.name}"`);
  const files: Record<string, string> = {};
  if (cloud === 'aws') files[ECS_TEMPLATE_FILE] = JSON.stringify(ecsTemplate(app), null, 2) + '\n';
  if (cloud === 'gcp') files[CLOUD_RUN_FILE] = cloudRunYaml(app);
  if (cloud === 'azure') {
    files[CONTAINER_APP_FILE] = containerAppYaml(app);
    if (app.functions.some((f) => f.kind === 'schedule')) files[SCHEDULER_APP_FILE] = containerAppYaml(app, 'scheduler');
    if (app.functions.some((f) => f.kind === 'event')) files[EVENT_GRID_FILE] = JSON.stringify(eventGridTemplate(app), null, 2) + '\n';
  }
  for (const [name, text] of Object.entries(files)) await writeFile(join(options.outDir, name), text);
  options.log(`container (${cloud}): wrote ${Object.keys(files).join(', ')}`);
  return { outDir: options.outDir, files: Object.keys(files) };
}
