import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildOptions, BuildResult } from '../../../src/index.js';
import { toContainerCloud } from '../runtime/container-adapter.js';
import { ecsTemplate, ECS_TEMPLATE_FILE } from './ecs-template.js';

/**
 * Writes the platform's deploy files beside the built server: `ecs-template.json` (ECS
 * Fargate, CloudFormation) for aws.
 */
export async function writeInfrastructure(options: BuildOptions): Promise<BuildResult> {
  const cloud = toContainerCloud(options.cloud, `container infrastructure of app "${options.app.name}"`);
  const files: Record<string, string> = {};
  if (cloud === 'aws') files[ECS_TEMPLATE_FILE] = JSON.stringify(ecsTemplate(options.app), null, 2) + '\n';
  for (const [name, text] of Object.entries(files)) await writeFile(join(options.outDir, name), text);
  options.log(`container (${cloud}): wrote ${Object.keys(files).join(', ')}`);
  return { outDir: options.outDir, files: Object.keys(files) };
}
