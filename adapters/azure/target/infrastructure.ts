import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertSupported, type App, type BuildOptions, type BuildResult, type HttpFunctionDefinition } from 'faasport';
import { adapter } from '../runtime/adapter.js';
import { POISON_SUFFIX, storageQueueName } from '../runtime/names.js';
import { RUNTIME_NODE_MAJOR } from 'faasport/adapter-kit';

/** An ARM (Azure Resource Manager) deployment template as JSON. */
export interface ArmTemplate {
  $schema: string;
  contentVersion: string;
  metadata: Record<string, unknown>;
  parameters: Record<string, { type: string; defaultValue?: unknown; metadata?: { description: string } }>;
  variables: Record<string, unknown>;
  resources: ArmResource[];
  outputs: Record<string, { type: string; value: unknown }>;
}

export interface ArmResource {
  type: string;
  apiVersion: string;
  name: string;
  location?: string;
  kind?: string;
  sku?: Record<string, unknown>;
  identity?: Record<string, unknown>;
  scope?: string;
  properties?: Record<string, unknown>;
  dependsOn?: string[];
}

/** Where `faasport build --target azure` writes the template, relative to the output folder. */
export const ARM_TEMPLATE_FILE = 'infra/azuredeploy.json';
/** The blob container Flex Consumption deploys the app package from. */
export const PACKAGE_CONTAINER = 'app-package';

/** Built-in Azure role definition ids (the same in every tenant). */
export const ROLES = {
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
} as const;

/** The app settings prefix of the host storage connection (and of the queue triggers and sends). */
export const STORAGE_CONNECTION = 'AzureWebJobsStorage';

/** Flex Consumption instance sizes, MB. */
const INSTANCE_MEMORY = [512, 2048, 4096];
const API = { storage: '2023-05-01', web: '2024-04-01', identity: '2023-01-31', vault: '2023-07-01', auth: '2022-04-01' } as const;

/**
 * The ARM template for an app on Azure Functions: a Flex Consumption plan (Linux, Node 22),
 * the function app, a storage account dedicated to the app with one queue per faasport
 * queue and per topic subscription, each with its `-poison` queue, and the blob container
 * the app package is deployed from. No account key is used or stored: the account refuses
 * shared-key access, and the host, the queue triggers and faasport's sends reach it through
 * an identity-based connection (`AzureWebJobsStorage__accountName`, `__credential:
 * managedidentity`, `__clientId`) as the app's user-assigned identity. That identity holds
 * Storage Blob Data Owner (host leases, the package) and Storage Queue Data Contributor
 * (triggers, sends, poison queues) on this one account, and Key Vault Secrets User on the
 * app's own Key Vault (RBAC, soft delete and purge protection on), where secrets for Key
 * Vault references in app settings go. `warm` becomes always-ready instances (`http` for
 * HTTP functions, `function:<name>` for the others); the instance size fits the largest
 * `memoryMb`. HTTP functions use authLevel `function` unless public (set where they are
 * registered, see `registerAzure`).
 *
 * Purge protection cannot be turned off: a deleted vault stays, recoverable, for 7 days, and
 * its name (derived from the resource group and app name) cannot be reused until then.
 *
 * @example
 * ```ts
 * import { createApp } from 'faasport';
 * import { armTemplate } from 'faasport/azure';
 * const app = createApp('shop');
 * app.queue('orders');
 * armTemplate(app).resources.filter((r) => r.type.endsWith('/queues')).map((r) => r.name);
 * // ["[concat(variables('storageAccountName'), '/default/orders')]", "[concat(variables('storageAccountName'), '/default/orders-poison')]"]
 * ```
 */
export function armTemplate(app: App): ArmTemplate {
  assertSupported(app, adapter);
  const queues = [
    ...app.queues.map((q) => storageQueueName(q.name)),
    ...app.functions.flatMap((f) => (f.kind === 'topic' ? [storageQueueName(f.source.name, f.name)] : [])),
  ];
  const storageId = "[resourceId('Microsoft.Storage/storageAccounts', variables('storageAccountName'))]";
  const identityId = "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', variables('identityName'))]";
  const vaultId = "[resourceId('Microsoft.KeyVault/vaults', variables('keyVaultName'))]";
  const containerId = `[resourceId('Microsoft.Storage/storageAccounts/blobServices/containers', variables('storageAccountName'), 'default', '${PACKAGE_CONTAINER}')]`;
  const principal = `[reference(${identityId.slice(1, -1)}, '${API.identity}').principalId]`;
  const roleAssignment = (name: string, scope: string, role: string, resourceIdExpr: string): ArmResource => ({
    type: 'Microsoft.Authorization/roleAssignments',
    apiVersion: API.auth,
    name: `[guid(${resourceIdExpr.slice(1, -1)}, variables('identityName'), '${role}')]`,
    scope,
    properties: {
      roleDefinitionId: `[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '${role}')]`,
      principalId: principal,
      principalType: 'ServicePrincipal',
      description: name,
    },
    dependsOn: [identityId, resourceIdExpr],
  });

  const zones = new Set(app.functions.flatMap((f) => (f.kind === 'schedule' && f.cron !== undefined && f.timezone ? [f.timezone] : [])));
  const appSettings: { name: string; value: string }[] = [
    // Identity-based: the host and faasport's producer read the same three settings; no key anywhere.
    { name: `${STORAGE_CONNECTION}__accountName`, value: "[variables('storageAccountName')]" },
    { name: `${STORAGE_CONNECTION}__credential`, value: 'managedidentity' },
    { name: `${STORAGE_CONNECTION}__clientId`, value: `[reference(${identityId.slice(1, -1)}, '${API.identity}').clientId]` },
    { name: 'NODE_ENV', value: 'production' },
  ];
  if (zones.size === 1) appSettings.push({ name: 'WEBSITE_TIME_ZONE', value: [...zones][0]! });

  const resources: ArmResource[] = [
    {
      type: 'Microsoft.Storage/storageAccounts',
      apiVersion: API.storage,
      name: "[variables('storageAccountName')]",
      location: "[parameters('location')]",
      sku: { name: 'Standard_LRS' },
      kind: 'StorageV2',
      properties: {
        minimumTlsVersion: 'TLS1_2',
        supportsHttpsTrafficOnly: true,
        allowBlobPublicAccess: false,
        allowCrossTenantReplication: false,
        allowSharedKeyAccess: false,
      },
    },
    {
      type: 'Microsoft.Storage/storageAccounts/blobServices/containers',
      apiVersion: API.storage,
      name: `[concat(variables('storageAccountName'), '/default/${PACKAGE_CONTAINER}')]`,
      properties: { publicAccess: 'None' },
      dependsOn: [storageId],
    },
    ...queues.flatMap((q) =>
      [q, `${q}${POISON_SUFFIX}`].map((name): ArmResource => ({
        type: 'Microsoft.Storage/storageAccounts/queueServices/queues',
        apiVersion: API.storage,
        name: `[concat(variables('storageAccountName'), '/default/${name}')]`,
        properties: {},
        dependsOn: [storageId],
      })),
    ),
    {
      type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
      apiVersion: API.identity,
      name: "[variables('identityName')]",
      location: "[parameters('location')]",
    },
    {
      type: 'Microsoft.KeyVault/vaults',
      apiVersion: API.vault,
      name: "[variables('keyVaultName')]",
      location: "[parameters('location')]",
      properties: {
        tenantId: '[subscription().tenantId]',
        sku: { family: 'A', name: 'standard' },
        enableRbacAuthorization: true,
        enableSoftDelete: true,
        softDeleteRetentionInDays: 7,
        enablePurgeProtection: true,
        publicNetworkAccess: 'Enabled',
      },
    },
    roleAssignment(
      'faasport: the function app reads the secrets of its own vault (Key Vault references)',
      `[format('Microsoft.KeyVault/vaults/{0}', variables('keyVaultName'))]`,
      ROLES.keyVaultSecretsUser,
      vaultId,
    ),
    roleAssignment(
      'faasport: the host storage (leases, the deployment package) of the function app',
      `[format('Microsoft.Storage/storageAccounts/{0}', variables('storageAccountName'))]`,
      ROLES.storageBlobDataOwner,
      storageId,
    ),
    roleAssignment(
      'faasport: the queue triggers, sends and poison queues of the function app',
      `[format('Microsoft.Storage/storageAccounts/{0}', variables('storageAccountName'))]`,
      ROLES.storageQueueDataContributor,
      storageId,
    ),
    {
      type: 'Microsoft.Web/serverfarms',
      apiVersion: API.web,
      name: "[variables('planName')]",
      location: "[parameters('location')]",
      kind: 'functionapp',
      sku: { name: 'FC1', tier: 'FlexConsumption' },
      properties: { reserved: true },
    },
    {
      type: 'Microsoft.Web/sites',
      apiVersion: API.web,
      name: "[parameters('functionAppName')]",
      location: "[parameters('location')]",
      kind: 'functionapp,linux',
      identity: { type: 'UserAssigned', userAssignedIdentities: { [identityId]: {} } },
      properties: {
        serverFarmId: "[resourceId('Microsoft.Web/serverfarms', variables('planName'))]",
        httpsOnly: true,
        keyVaultReferenceIdentity: identityId,
        siteConfig: { minTlsVersion: '1.2', ftpsState: 'Disabled', http20Enabled: true, appSettings },
        functionAppConfig: {
          deployment: {
            storage: {
              type: 'blobContainer',
              value: `[concat(reference(${storageId.slice(1, -1)}, '${API.storage}').primaryEndpoints.blob, '${PACKAGE_CONTAINER}')]`,
              authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identityId },
            },
          },
          scaleAndConcurrency: { maximumInstanceCount: 100, instanceMemoryMB: instanceMemory(app), alwaysReady: alwaysReady(app) },
          runtime: { name: 'node', version: String(RUNTIME_NODE_MAJOR) },
        },
      },
      dependsOn: [
        "[resourceId('Microsoft.Web/serverfarms', variables('planName'))]",
        containerId,
        // The identity must hold its roles before the host starts with them.
        ...(
          [
            [vaultId, ROLES.keyVaultSecretsUser],
            [storageId, ROLES.storageBlobDataOwner],
            [storageId, ROLES.storageQueueDataContributor],
          ] as const
        ).map(
          ([scope, role]) =>
            `[extensionResourceId(${scope.slice(1, -1)}, 'Microsoft.Authorization/roleAssignments', guid(${scope.slice(1, -1)}, variables('identityName'), '${role}'))]`,
        ),
      ],
    },
  ];

  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    metadata: { generator: `faasport build --target azure (app "${app.name}"); edit the app, not this file` },
    parameters: {
      appName: { type: 'string', defaultValue: app.name, metadata: { description: 'Prefix of every resource name.' } },
      location: { type: 'string', defaultValue: '[resourceGroup().location]', metadata: { description: 'Region of every resource.' } },
      functionAppName: {
        type: 'string',
        defaultValue: "[concat(parameters('appName'), '-', uniqueString(resourceGroup().id))]",
        metadata: { description: 'Globally unique name of the function app.' },
      },
    },
    variables: {
      storageAccountName: "[take(concat(replace(replace(toLower(parameters('appName')), '-', ''), '_', ''), uniqueString(resourceGroup().id)), 24)]",
      keyVaultName: "[take(concat('kv', uniqueString(resourceGroup().id, parameters('appName'))), 24)]",
      identityName: "[concat(parameters('appName'), '-identity')]",
      planName: "[concat(parameters('appName'), '-plan')]",
    },
    resources,
    outputs: {
      functionAppName: { type: 'string', value: "[parameters('functionAppName')]" },
      defaultHostName: { type: 'string', value: "[reference(resourceId('Microsoft.Web/sites', parameters('functionAppName')), '2024-04-01').defaultHostName]" },
      storageAccountName: { type: 'string', value: "[variables('storageAccountName')]" },
      keyVaultName: { type: 'string', value: "[variables('keyVaultName')]" },
    },
  };
}

/**
 * Writes `infra/azuredeploy.json` into the build folder (atomically). What `faasport build
 * --target azure` calls after `build`.
 *
 * @example
 * ```ts
 * import { writeInfrastructure } from 'faasport/azure';
 * await writeInfrastructure({ entry, exportName: 'app', outDir: 'dist/azure', app, log: console.log });
 * ```
 */
export async function writeInfrastructure(options: BuildOptions): Promise<BuildResult> {
  const target = join(options.outDir, ARM_TEMPLATE_FILE);
  await mkdir(join(target, '..'), { recursive: true });
  await writeFile(`${target}.tmp`, JSON.stringify(armTemplate(options.app), null, 2) + '\n');
  await rename(`${target}.tmp`, target);
  options.log(
    `azure: wrote ${ARM_TEMPLATE_FILE} (Flex Consumption, Node 22, storage queues; the storage connection is the app's managed identity, no account key; Key Vault with purge protection)`,
  );
  return { outDir: options.outDir, files: [ARM_TEMPLATE_FILE] };
}

/** Smallest Flex Consumption instance size that holds the largest function. */
function instanceMemory(app: App): number {
  const need = Math.max(0, ...app.functions.map((f) => f.memoryMb));
  return INSTANCE_MEMORY.find((m) => m >= need) ?? INSTANCE_MEMORY[INSTANCE_MEMORY.length - 1]!;
}

/** `warm` as Flex always-ready instances: HTTP functions share the `http` group. */
function alwaysReady(app: App): { name: string; instanceCount: number }[] {
  const http = app.functions.filter((f): f is HttpFunctionDefinition => f.kind === 'http');
  const out: { name: string; instanceCount: number }[] = [];
  const httpWarm = Math.max(0, ...http.map((f) => f.warm));
  if (httpWarm > 0) out.push({ name: 'http', instanceCount: httpWarm });
  for (const f of app.functions) if (f.kind !== 'http' && f.warm > 0) out.push({ name: `function:${f.name}`, instanceCount: f.warm });
  return out;
}
