import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createApp } from 'faasport';
import { app as shop } from '../../../examples/shop/app.js';
import { renderStep } from '../../../src/cli-steps.js';
import { azureDeploySteps } from './deploy-steps.js';
import { ARM_TEMPLATE_FILE, armTemplate, ROLES, writeInfrastructure, type ArmResource } from './infrastructure.js';

const template = armTemplate(shop);
const ofType = (type: string): ArmResource[] => template.resources.filter((r) => r.type === type);
const site = ofType('Microsoft.Web/sites')[0]!;
const siteProps = site.properties as Record<string, any>;

describe('armTemplate for the shop', () => {
  test('a Linux Flex Consumption plan running Node 22', () => {
    expect(ofType('Microsoft.Web/serverfarms')[0]).toMatchObject({ sku: { name: 'FC1', tier: 'FlexConsumption' }, properties: { reserved: true } });
    expect(site.kind).toBe('functionapp,linux');
    expect(siteProps.functionAppConfig.runtime).toEqual({ name: 'node', version: '22' });
    expect(siteProps.httpsOnly).toBe(true);
  });

  test('one storage queue per queue and per topic subscriber, each with its poison queue', () => {
    const names = ofType('Microsoft.Storage/storageAccounts/queueServices/queues').map((r) => /\/default\/([^']+)'/.exec(r.name)![1]);
    expect(names).toEqual(['orders', 'orders-poison', 'shipped-notifycustomer', 'shipped-notifycustomer-poison']);
  });

  test("no account key anywhere: AzureWebJobsStorage is an identity-based connection as the app's user-assigned identity", () => {
    const settings = Object.fromEntries((siteProps.siteConfig.appSettings as { name: string; value: string }[]).map((s) => [s.name, s.value]));
    expect(settings).toMatchObject({
      AzureWebJobsStorage__accountName: "[variables('storageAccountName')]",
      AzureWebJobsStorage__credential: 'managedidentity',
      AzureWebJobsStorage__clientId:
        "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', variables('identityName')), '2023-01-31').clientId]",
    });
    expect(settings.AzureWebJobsStorage).toBeUndefined();
    const json = JSON.stringify(template);
    expect(json).not.toMatch(/listKeys|AccountKey|SharedAccessSignature|connectionString/i);
    expect(ofType('Microsoft.KeyVault/vaults/secrets')).toEqual([]);
    // The account itself refuses key-signed requests.
    expect(ofType('Microsoft.Storage/storageAccounts')[0]!.properties).toMatchObject({ allowSharedKeyAccess: false });
  });

  test('the identity holds blob owner and queue contributor on its own account and secrets user on its own vault, nothing else', () => {
    const assignments = ofType('Microsoft.Authorization/roleAssignments');
    expect(assignments.map((a) => [(a.properties as { roleDefinitionId: string }).roleDefinitionId.match(/'([0-9a-f-]{36})'/)![1], a.scope])).toEqual([
      [ROLES.keyVaultSecretsUser, "[format('Microsoft.KeyVault/vaults/{0}', variables('keyVaultName'))]"],
      [ROLES.storageBlobDataOwner, "[format('Microsoft.Storage/storageAccounts/{0}', variables('storageAccountName'))]"],
      [ROLES.storageQueueDataContributor, "[format('Microsoft.Storage/storageAccounts/{0}', variables('storageAccountName'))]"],
    ]);
    for (const a of assignments)
      expect((a.properties as { principalId: string }).principalId).toBe(
        "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', variables('identityName')), '2023-01-31').principalId]",
      );
    expect(site.identity).toEqual({
      type: 'UserAssigned',
      userAssignedIdentities: { "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', variables('identityName'))]": {} },
    });
    // The site starts only once its identity holds those roles.
    expect(site.dependsOn!.filter((d) => d.includes('roleAssignments'))).toHaveLength(3);
  });

  test('storage and vault are closed by default; the vault has purge protection', () => {
    expect(ofType('Microsoft.Storage/storageAccounts')[0]!.properties).toMatchObject({
      minimumTlsVersion: 'TLS1_2',
      supportsHttpsTrafficOnly: true,
      allowBlobPublicAccess: false,
    });
    expect(ofType('Microsoft.KeyVault/vaults')[0]!.properties).toMatchObject({
      enableRbacAuthorization: true,
      enableSoftDelete: true,
      enablePurgeProtection: true,
    });
    expect(siteProps.siteConfig).toMatchObject({ minTlsVersion: '1.2', ftpsState: 'Disabled' });
  });
});

describe('armTemplate options', () => {
  test('warm becomes always-ready instances; the instance size fits the largest function; one time zone is set', () => {
    const app = createApp('t');
    app.http('a', { route: '/a', warm: 1 }, () => new Response(''));
    app.http('b', { route: '/b', warm: 3, memoryMb: 1024 }, () => new Response(''));
    app.queue('jobs').consume('work', async () => {}, { warm: 2 });
    app.schedule('tick', { cron: '0 9 * * *', timezone: 'Europe/Paris' }, async () => {});
    const props = armTemplate(app).resources.find((r) => r.type === 'Microsoft.Web/sites')!.properties as Record<string, any>;
    expect(props.functionAppConfig.scaleAndConcurrency).toMatchObject({
      instanceMemoryMB: 2048,
      alwaysReady: [
        { name: 'http', instanceCount: 3 },
        { name: 'function:work', instanceCount: 2 },
      ],
    });
    expect(props.siteConfig.appSettings).toContainEqual({ name: 'WEBSITE_TIME_ZONE', value: 'Europe/Paris' });
  });

  test('an app azure cannot run is refused', () => {
    const app = createApp('t');
    app.queue('jobs', { fifo: true }).consume('work', async () => {});
    expect(() => armTemplate(app)).toThrow(/fifo/);
  });
});

describe('az deploy steps', () => {
  test.each([
    [0, 'az group create --name "${RESOURCE_GROUP}" --location "${LOCATION}" --output none'],
    [
      1,
      'FUNCTION_APP="$(az deployment group create --resource-group "${RESOURCE_GROUP}" --name faasport-shop --template-file "${BUILD}/infra/azuredeploy.json" --parameters appName=shop --query properties.outputs.functionAppName.value --output tsv)"',
    ],
    [2, 'az functionapp deployment source config-zip --resource-group "${RESOURCE_GROUP}" --name "${FUNCTION_APP}" --src "${ZIP}" --build-remote true'],
  ])('step %i renders as %s', (i, line) => {
    expect(renderStep(azureDeploySteps(shop)[i]!)).toBe(line);
  });
});

describe('writeInfrastructure (azure)', () => {
  test('writes infra/azuredeploy.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faasport-azure-infra-'));
    try {
      const result = await writeInfrastructure({ entry: '', exportName: 'app', outDir: dir, app: shop, log: () => {} });
      expect(result.files).toEqual([ARM_TEMPLATE_FILE]);
      expect(JSON.parse(await readFile(join(dir, ARM_TEMPLATE_FILE), 'utf8'))).toEqual(JSON.parse(JSON.stringify(template)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
