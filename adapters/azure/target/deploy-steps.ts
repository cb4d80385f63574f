import type { App } from 'faasport';
import type { CliStep } from 'faasport/adapter-kit';
import { ARM_TEMPLATE_FILE } from './infrastructure.js';

/**
 * The az commands that deploy a built app: the resource group, the ARM template of
 * {@link armTemplate} (its `functionAppName` output feeds the next step), then the zipped
 * build with a remote build (npm install on the platform). Every step is safe to run again.
 *
 * @example
 * ```ts
 * import { azureDeploySteps } from 'faasport/azure/target';
 * azureDeploySteps(app).map((s) => s.argv.slice(0, 3).join(' '));
 * // ['az group create', 'az deployment group', 'az functionapp deployment']
 * ```
 */
export function azureDeploySteps(app: App): CliStep[] {
  return [
    { title: 'resource group', argv: ['az', 'group', 'create', '--name', '${RESOURCE_GROUP}', '--location', '${LOCATION}', '--output', 'none'] },
    {
      title: 'infrastructure (function app, storage, queues, Key Vault, identity)',
      argv: [
        'az',
        'deployment',
        'group',
        'create',
        '--resource-group',
        '${RESOURCE_GROUP}',
        '--name',
        `faasport-${app.name}`,
        '--template-file',
        `\${BUILD}/${ARM_TEMPLATE_FILE}`,
        '--parameters',
        `appName=${app.name}`,
        '--query',
        'properties.outputs.functionAppName.value',
        '--output',
        'tsv',
      ],
      output: 'FUNCTION_APP',
    },
    {
      title: 'code (zip deploy, npm install on the platform)',
      argv: [
        'az',
        'functionapp',
        'deployment',
        'source',
        'config-zip',
        '--resource-group',
        '${RESOURCE_GROUP}',
        '--name',
        '${FUNCTION_APP}',
        '--src',
        '${ZIP}',
        '--build-remote',
        'true',
      ],
    },
  ];
}
