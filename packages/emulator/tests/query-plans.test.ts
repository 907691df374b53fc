import { fanReport } from '@c2c-kit/testing';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startC2cStack } from './helpers/c2c-stack.js';
import { judgePlan, recordSql, type SqlRecorder } from './helpers/query-plans.js';

// Every statement the managed-integrations request paths run is served by an index. The SQL is
// collected from the code as it runs (prepare and execute are wrapped), not from a list: a walk
// through the operations a connector and a customer use, then EXPLAIN QUERY PLAN of each
// statement that walk executed and of every statement prepared on a managed-integrations table.

let recorder: SqlRecorder;
let stack: Awaited<ReturnType<typeof startC2cStack>>;

beforeAll(async () => {
  recorder = recordSql();
  stack = await startC2cStack();
});

afterAll(async () => {
  await stack?.close();
  recorder?.restore();
});

/** Statements naming a managed-integrations table (`mi_…`) as what they read or write. */
function onMiTable(sql: string): boolean {
  return /\b(?:FROM|INTO|UPDATE|JOIN)\s+mi_\w+/i.test(sql) && !/^PRAGMA/i.test(sql);
}

describe('query plans of the managed-integrations request paths', () => {
  it('walks the connector and customer operations with every statement recorded', async () => {
    const { mi, connectorId, destinationId } = stack;
    recorder.executing = true;
    const ok = (res: { status: number; text: string }) =>
      expect(res.status, res.text).toBeLessThan(300);
    const associationId = await stack.link();
    const discoveryId = await stack.discover(associationId, [
      { id: 'fan-1', name: 'Fan one', report: fanReport() },
      { id: 'fan-2', name: 'Fan two', report: fanReport() },
    ]);
    ok(await mi('ListDiscoveredDevices', { Identifier: discoveryId, MaxResults: 1 }));
    const created = await mi('CreateManagedThing', {
      Role: 'DEVICE',
      AuthenticationMaterialType: 'DISCOVERED_DEVICE',
      AuthenticationMaterial: 'fan-1',
      ClientToken: 'thing-token',
    });
    ok(created);
    const thingId = created.json.Id as string;
    await stack.register(thingId, associationId, discoveryId);
    // Known device, unknown device (the routing miss), the state it leaves.
    ok(
      await mi('SendConnectorEvent', {
        ConnectorId: connectorId,
        Operation: 'DEVICE_EVENT',
        UserId: 'user-1',
        ConnectorDeviceId: 'fan-1',
        MatterEndpoint: { id: '1', clusters: [{ id: '0x0006', attributes: { '0x0000': true } }] },
      }),
    );
    await mi('SendConnectorEvent', {
      ConnectorId: connectorId,
      Operation: 'DEVICE_EVENT',
      UserId: 'user-1',
      ConnectorDeviceId: 'fan-9',
      MatterEndpoint: { id: '1', clusters: [{ id: '0x0006', attributes: { '0x0000': true } }] },
    });
    // A re-discovery reconciles the device with its thing.
    await stack.discover(associationId, [
      { id: 'fan-1', name: 'Fan one', report: fanReport(true) },
    ]);
    ok(await mi('GetManagedThing', { Identifier: thingId }));
    ok(await mi('GetManagedThingState', { ManagedThingId: thingId }));
    ok(await mi('GetManagedThingCapabilities', { Identifier: thingId }));
    ok(await mi('ListManagedThingSchemas', { Identifier: thingId }));
    const first = await mi('ListManagedThings', { MaxResults: 1 });
    ok(first);
    ok(await mi('ListManagedThings', { NextToken: first.json.NextToken as string | undefined }));
    ok(await mi('ListManagedThings', { ConnectorDeviceIdFilter: 'fan-1' }));
    ok(await mi('ListManagedThingAccountAssociations', { AccountAssociationId: associationId }));
    ok(await mi('ListManagedThingAccountAssociations', { ManagedThingId: thingId }));
    const command = await mi('SendManagedThingCommand', {
      ManagedThingId: thingId,
      Endpoints: [
        {
          endpointId: '1',
          capabilities: [
            { id: 'matter.OnOff@1.4', name: 'On/Off', version: '1', actions: [{ name: 'On' }] },
          ],
        },
      ],
    });
    ok(command);
    await stack.emu.app.managedIntegrations.drain();
    ok(
      await mi('SendConnectorEvent', {
        ConnectorId: connectorId,
        Operation: 'DEVICE_COMMAND_RESPONSE',
        UserId: 'user-1',
        TraceId: command.json.TraceId as string,
        MatterEndpoint: { id: '1', clusters: [{ id: '0x0006', attributes: { '0x0000': true } }] },
      }),
    );
    ok(await mi('ListCloudConnectors', {}));
    ok(await mi('ListCloudConnectors', { LambdaArn: 'acme-connector' }));
    ok(await mi('GetCloudConnector', { Identifier: connectorId }));
    ok(await mi('ListConnectorDestinations', { CloudConnectorId: connectorId }));
    ok(await mi('GetConnectorDestination', { Identifier: destinationId }));
    ok(await mi('ListAccountAssociations', { ConnectorDestinationId: destinationId }));
    ok(await mi('GetAccountAssociation', { AccountAssociationId: associationId }));
    ok(await mi('GetDeviceDiscovery', { Identifier: discoveryId }));
    ok(await mi('ListDeviceDiscoveries', { StatusFilter: 'SUCCEEDED' }));
    ok(await mi('ListDestinations', {}));
    ok(await mi('ListNotificationConfigurations', {}));
    ok(await mi('GetDefaultEncryptionConfiguration', {}));
    // Deleting a link with a registered thing is refused after counting its things.
    await mi('DeleteAccountAssociation', { AccountAssociationId: associationId });
    ok(
      await mi('DeregisterAccountAssociation', {
        ManagedThingId: thingId,
        AccountAssociationId: associationId,
      }),
    );
    ok(await mi('DeleteManagedThing', { Identifier: thingId }));
    await stack.emu.app.managedIntegrations.drain();
    recorder.executing = false;
  });

  it('serves every list and lookup by an index: no full scans', () => {
    const executed = [...recorder.executed];
    const prepared = [...recorder.prepared].filter(onMiTable);
    // The walk ran through the stores at all (a walk that ran nothing would prove nothing).
    expect(executed.some((sql) => sql.includes('mi_managed_things'))).toBe(true);
    expect(executed.some((sql) => sql.includes('mi_discovered_devices'))).toBe(true);
    const db = stack.emu.app.db;
    const problems = [...new Set([...executed, ...prepared])]
      .map((sql) => judgePlan(db, sql, recorder.executed.has(sql)))
      .filter((v) => v.problems.length > 0)
      .map((v) => `${v.sql}\n    ${v.problems.join('\n    ')}`);
    expect(problems).toEqual([]);
  });

  it('the judge flags a lookup by an index that misses its key, and a whole-table read', () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE t (seq INTEGER PRIMARY KEY, account TEXT, k1 TEXT, doc TEXT);
      CREATE INDEX t_owner ON t(account, seq);`);
    const byKey = judgePlan(db, 'SELECT doc FROM t WHERE account = ? AND k1 = ?', true);
    expect(byKey.problems.join()).toContain('"k1 = ?" is not part of the index search');
    expect(judgePlan(db, 'SELECT doc FROM t WHERE k1 = ?', true).problems.join()).toContain(
      'full scan',
    );
    expect(judgePlan(db, 'SELECT doc FROM t ORDER BY seq', true).problems.join()).toContain(
      'full scan',
    );
    expect(judgePlan(db, 'SELECT doc FROM t ORDER BY seq DESC LIMIT ?', true).problems).toEqual([]);
    expect(judgePlan(db, 'SELECT doc FROM t ORDER BY k1 LIMIT ?', true).problems.join()).toContain(
      'sorts every match',
    );
    db.close();
  });
});
