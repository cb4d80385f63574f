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
 * import { armTemplate } from 'faasport/azure/target';
 * const app = createApp('shop');
 * app.queue('orders');
 * armTemplate(app).resources.filter((r) => r.type.endsWith('/queues')).map((r) => r.name);
 * // ["[concat(variables('storageAccountName'), '/default/orders')]", "[concat(variables('storageAccountName'), '/default/orders-poison')]"]
 * ```
 */
export function armTemplate(app: App): ArmTemplate {
  assertSupported(app, adapter);
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    metadata: { generator: `faasport build --target azure (app "${app.name}"); edit the app, not this file` },
    parameters: parameters(app),
    variables: variables(),
    resources: [...storage(app), identity(), keyVault(), ...ROLE_ASSIGNMENTS.map(roleAssignment), plan(), functionApp(app)],
    outputs: outputs(),
  };
}

const STORAGE_ID = "[resourceId('Microsoft.Storage/storageAccounts', variables('storageAccountName'))]";
const IDENTITY_ID = "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', variables('identityName'))]";
const VAULT_ID = "[resourceId('Microsoft.KeyVault/vaults', variables('keyVaultName'))]";
const CONTAINER_ID = `[resourceId('Microsoft.Storage/storageAccounts/blobServices/containers', variables('storageAccountName'), 'default', '${PACKAGE_CONTAINER}')]`;
const PLAN_ID = "[resourceId('Microsoft.Web/serverfarms', variables('planName'))]";

/** A role the app's identity holds on one of its own resources. */
interface RoleGrant {
  /** Why, as the assignment's description. */
  readonly description: string;
  /** The resource it is scoped to, as a `format(...)` expression. */
  readonly scope: string;
  readonly role: string;
  /** The same resource, as a `resourceId(...)` expression. */
  readonly resourceId: string;
}

/** Every role the identity holds: data roles on its own vault and storage account, nothing broader. */
const ROLE_ASSIGNMENTS: readonly RoleGrant[] = [
  {
    description: 'faasport: the function app reads the secrets of its own vault (Key Vault references)',
    scope: `[format('Microsoft.KeyVault/vaults/{0}', variables('keyVaultName'))]`,
    role: ROLES.keyVaultSecretsUser,
    resourceId: VAULT_ID,
  },
  {
    description: 'faasport: the host storage (leases, the deployment package) of the function app',
    scope: `[format('Microsoft.Storage/storageAccounts/{0}', variables('storageAccountName'))]`,
    role: ROLES.storageBlobDataOwner,
    resourceId: STORAGE_ID,
  },
  {
    description: 'faasport: the queue triggers, sends and poison queues of the function app',
    scope: `[format('Microsoft.Storage/storageAccounts/{0}', variables('storageAccountName'))]`,
    role: ROLES.storageQueueDataContributor,
    resourceId: STORAGE_ID,
  },
];

function parameters(app: App): ArmTemplate['parameters'] {
  return {
    appName: { type: 'string', defaultValue: app.name, metadata: { description: 'Prefix of every resource name.' } },
    location: { type: 'string', defaultValue: '[resourceGroup().location]', metadata: { description: 'Region of every resource.' } },
    functionAppName: {
      type: 'string',
      defaultValue: "[concat(parameters('appName'), '-', uniqueString(resourceGroup().id))]",
      metadata: { description: 'Globally unique name of the function app.' },
    },
  };
}

/** Resource names derived from the app name and the resource group. */
function variables(): ArmTemplate['variables'] {
  return {
    storageAccountName: "[take(concat(replace(replace(toLower(parameters('appName')), '-', ''), '_', ''), uniqueString(resourceGroup().id)), 24)]",
    keyVaultName: "[take(concat('kv', uniqueString(resourceGroup().id, parameters('appName'))), 24)]",
    identityName: "[concat(parameters('appName'), '-identity')]",
    planName: "[concat(parameters('appName'), '-plan')]",
  };
}

function outputs(): ArmTemplate['outputs'] {
  return {
    functionAppName: { type: 'string', value: "[parameters('functionAppName')]" },
    defaultHostName: { type: 'string', value: "[reference(resourceId('Microsoft.Web/sites', parameters('functionAppName')), '2024-04-01').defaultHostName]" },
    storageAccountName: { type: 'string', value: "[variables('storageAccountName')]" },
    keyVaultName: { type: 'string', value: "[variables('keyVaultName')]" },
  };
}

/** The app's own storage account (no shared key), the package container, and each queue with its poison queue. */
function storage(app: App): ArmResource[] {
  return [
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
      dependsOn: [STORAGE_ID],
    },
    ...storageQueues(app).flatMap((q) =>
      [q, `${q}${POISON_SUFFIX}`].map((name): ArmResource => ({
        type: 'Microsoft.Storage/storageAccounts/queueServices/queues',
        apiVersion: API.storage,
        name: `[concat(variables('storageAccountName'), '/default/${name}')]`,
        properties: {},
        dependsOn: [STORAGE_ID],
      })),
    ),
  ];
}

/** One Storage queue per faasport queue and one per topic subscriber. */
function storageQueues(app: App): string[] {
  return [
    ...app.queues.map((q) => storageQueueName(q.name)),
    ...app.functions.flatMap((f) => (f.kind === 'topic' ? [storageQueueName(f.source.name, f.name)] : [])),
  ];
}

/** The user-assigned identity the host, the triggers and faasport's sends run as. */
function identity(): ArmResource {
  return {
    type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
    apiVersion: API.identity,
    name: "[variables('identityName')]",
    location: "[parameters('location')]",
  };
}

/** The app's own vault for Key Vault references: RBAC, soft delete and purge protection on. */
function keyVault(): ArmResource {
  return {
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
  };
}

function roleAssignment(grant: RoleGrant): ArmResource {
  return {
    type: 'Microsoft.Authorization/roleAssignments',
    apiVersion: API.auth,
    name: `[guid(${grant.resourceId.slice(1, -1)}, variables('identityName'), '${grant.role}')]`,
    scope: grant.scope,
    properties: {
      roleDefinitionId: `[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '${grant.role}')]`,
      principalId: `[reference(${IDENTITY_ID.slice(1, -1)}, '${API.identity}').principalId]`,
      principalType: 'ServicePrincipal',
      description: grant.description,
    },
    dependsOn: [IDENTITY_ID, grant.resourceId],
  };
}

/** The id of a {@link roleAssignment}, for the site to wait on. */
function roleAssignmentId(grant: RoleGrant): string {
  const target = grant.resourceId.slice(1, -1);
  return `[extensionResourceId(${target}, 'Microsoft.Authorization/roleAssignments', guid(${target}, variables('identityName'), '${grant.role}'))]`;
}

/** The Linux Flex Consumption plan. */
function plan(): ArmResource {
  return {
    type: 'Microsoft.Web/serverfarms',
    apiVersion: API.web,
    name: "[variables('planName')]",
    location: "[parameters('location')]",
    kind: 'functionapp',
    sku: { name: 'FC1', tier: 'FlexConsumption' },
    properties: { reserved: true },
  };
}

/** The function app, running as the identity, deployed from the package container. */
function functionApp(app: App): ArmResource {
  return {
    type: 'Microsoft.Web/sites',
    apiVersion: API.web,
    name: "[parameters('functionAppName')]",
    location: "[parameters('location')]",
    kind: 'functionapp,linux',
    identity: { type: 'UserAssigned', userAssignedIdentities: { [IDENTITY_ID]: {} } },
    properties: {
      serverFarmId: PLAN_ID,
      httpsOnly: true,
      keyVaultReferenceIdentity: IDENTITY_ID,
      siteConfig: { minTlsVersion: '1.2', ftpsState: 'Disabled', http20Enabled: true, appSettings: appSettings(app) },
      functionAppConfig: functionAppConfig(app),
    },
    // The identity must hold its roles before the host starts with them.
    dependsOn: [PLAN_ID, CONTAINER_ID, ...ROLE_ASSIGNMENTS.map(roleAssignmentId)],
  };
}

function appSettings(app: App): { name: string; value: string }[] {
  const settings: { name: string; value: string }[] = [
    // Identity-based: the host and faasport's producer read the same three settings; no key anywhere.
    { name: `${STORAGE_CONNECTION}__accountName`, value: "[variables('storageAccountName')]" },
    { name: `${STORAGE_CONNECTION}__credential`, value: 'managedidentity' },
    { name: `${STORAGE_CONNECTION}__clientId`, value: `[reference(${IDENTITY_ID.slice(1, -1)}, '${API.identity}').clientId]` },
    { name: 'NODE_ENV', value: 'production' },
  ];
  const zones = new Set(app.functions.flatMap((f) => (f.kind === 'schedule' && f.cron !== undefined && f.timezone ? [f.timezone] : [])));
  if (zones.size === 1) settings.push({ name: 'WEBSITE_TIME_ZONE', value: [...zones][0]! });
  return settings;
}

/** Flex Consumption: the package's blob container (read as the identity), scale, Node version. */
function functionAppConfig(app: App): Record<string, unknown> {
  return {
    deployment: {
      storage: {
        type: 'blobContainer',
        value: `[concat(reference(${STORAGE_ID.slice(1, -1)}, '${API.storage}').primaryEndpoints.blob, '${PACKAGE_CONTAINER}')]`,
        authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: IDENTITY_ID },
      },
    },
    scaleAndConcurrency: { maximumInstanceCount: 100, instanceMemoryMB: instanceMemory(app), alwaysReady: alwaysReady(app) },
    runtime: { name: 'node', version: String(RUNTIME_NODE_MAJOR) },
  };
}

/**
 * Writes `infra/azuredeploy.json` into the build folder (atomically). What `faasport build
 * --target azure` calls after `build`.
 *
 * @example
 * ```ts
 * import { writeInfrastructure } from 'faasport/azure/target';
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
