import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ClusterDef,
  type CommandDef,
  formatClusterId,
  formatCommandId,
  formatFieldId,
  getCluster,
  getCommand,
  getResponseCommand,
  listClusters,
  validateMatterEndpoint,
} from '../src/index.js';
import { messages } from './helpers/fixtures.js';
import { fieldsOf, mandatoryFields } from './helpers/values.js';

type Direction = 'request' | 'response';

function check(cluster: ClusterDef, command: CommandDef, fields: unknown, direction: Direction) {
  return validateMatterEndpoint(
    {
      id: '1',
      clusters: [
        { id: formatClusterId(cluster.id), commands: { [formatCommandId(command.id)]: fields } },
      ],
    },
    { direction },
  );
}

const all = listClusters().flatMap((cluster) =>
  cluster.commands.map((command) => ({ cluster, command })),
);
const requests = all.filter((x) => x.command.direction === 'request');
const withResponse = requests.flatMap(({ cluster, command }) => {
  const response = getResponseCommand(cluster, command);
  return response === undefined ? [] : [{ cluster, command, response }];
});
const withMandatory = requests.filter(
  ({ cluster, command }) => mandatoryFields(cluster, command.fields).length > 0,
);
/** Requests with a field the response does not have (GetUser's UserIndex is in both). */
const withOwnFields = requests.filter(({ cluster, command }) => {
  const response = getResponseCommand(cluster, command);
  const answered = new Set((response?.fields ?? []).map((f) => f.id));
  return mandatoryFields(cluster, command.fields).some((f) => !answered.has(f.id));
});
const RUNS = { numRuns: 8 };

describe('command direction over the whole Matter table', () => {
  it('links every request to its response command (the table is complete)', () => {
    expect(requests.length).toBeGreaterThan(300);
    expect(withResponse.length).toBeGreaterThan(100);
    const dangling = requests.filter(
      ({ cluster, command }) =>
        command.response !== undefined &&
        command.response !== 'status' &&
        getResponseCommand(cluster, command) === undefined,
    );
    expect(dangling.map(({ cluster, command }) => `${cluster.name}.${command.name}`)).toEqual([]);
    // Inherited from the base cluster: derived clusters restate commands without direction.
    const rvc = getCluster('RvcOperationalState') as ClusterDef;
    expect(getCommand(rvc, 'OperationalCommandResponse')?.direction).toBe('response');
    const goHome = getCommand(rvc, 'GoHome') as CommandDef;
    expect(getResponseCommand(rvc, goHome)?.name).toBe('OperationalCommandResponse');
  });

  it('a response {} (status only) is valid for every command of every cluster', () => {
    for (const { cluster, command } of all) {
      expect(
        messages(check(cluster, command, {}, 'response')),
        `${cluster.name}.${command.name}`,
      ).toEqual([]);
      const status = { responseCode: 500, errors: { code: '500', message: 'vendor down' } };
      expect(check(cluster, command, status, 'response').ok).toBe(true);
    }
  });

  it("a response with the response command's generated fields is valid", () => {
    for (const { cluster, command, response } of withResponse) {
      fc.assert(
        fc.property(fieldsOf(cluster, response.fields), (fields) => {
          expect(
            messages(check(cluster, command, fields, 'response')),
            `${cluster.name}.${command.name} → ${response.name}`,
          ).toEqual([]);
        }),
        RUNS,
      );
    }
  });

  it('a request with its generated mandatory (and some optional) fields is valid', () => {
    for (const { cluster, command } of requests) {
      fc.assert(
        fc.property(fieldsOf(cluster, command.fields), (fields) => {
          expect(
            messages(check(cluster, command, fields, 'request')),
            `${cluster.name}.${command.name}`,
          ).toEqual([]);
        }),
        RUNS,
      );
    }
  });

  it('a request missing a mandatory field is refused, naming the field', () => {
    expect(withMandatory.length).toBeGreaterThan(100);
    for (const { cluster, command } of withMandatory) {
      const mandatory = mandatoryFields(cluster, command.fields);
      fc.assert(
        fc.property(
          fieldsOf(cluster, command.fields),
          fc.nat(mandatory.length - 1),
          (fields, i) => {
            const dropped = mandatory[i] as (typeof mandatory)[number];
            const { [formatFieldId(dropped.id)]: _gone, ...rest } = fields;
            const found = messages(check(cluster, command, rest, 'request'));
            expect(found.join('\n'), `${cluster.name}.${command.name}`).toContain(
              `missing mandatory field ${dropped.name} of ${command.name}`,
            );
          },
        ),
        RUNS,
      );
    }
  });

  it("a request's own fields in a response are refused with a clear issue", () => {
    expect(withOwnFields.length).toBeGreaterThan(100);
    for (const { cluster, command } of withOwnFields) {
      fc.assert(
        fc.property(fieldsOf(cluster, command.fields), (fields) => {
          const found = messages(check(cluster, command, fields, 'response'));
          expect(found.join('\n'), `${cluster.name}.${command.name}`).toMatch(
            new RegExp(`is a request field of ${command.name}; a command response carries`),
          );
        }),
        RUNS,
      );
    }
  });
});

describe('command responses users send today', () => {
  const response = (clusterId: string, commandId: string, fields: unknown) =>
    validateMatterEndpoint(
      { id: '1', clusters: [{ id: clusterId, commands: { [commandId]: fields } }] },
      { direction: 'response' },
    );

  it('accepts status-only answers to MoveToLevel, SetpointRaiseLower, MoveToColorTemperature', () => {
    expect(messages(response('0x0008', '0x00', {}))).toEqual([]);
    expect(messages(response('0x0201', '0x00', { responseCode: 200 }))).toEqual([]);
    expect(
      messages(
        response('0x0300', '0x0A', { responseCode: 409, errors: { code: '409', message: 'busy' } }),
      ),
    ).toEqual([]);
    // The same entries as requests still need their fields: the default direction is request.
    expect(
      messages(
        validateMatterEndpoint({ id: '1', clusters: [{ id: '0x0008', commands: { '0x00': {} } }] }),
      ),
    ).toContain(
      'MatterEndpoint.clusters[0].commands["0x00"]["0x00"]: missing mandatory field Level of MoveToLevel',
    );
  });

  it('refuses MoveToLevel request fields echoed in a response, saying what a response carries', () => {
    expect(messages(response('0x0008', '0x00', { '0x00': 100, responseCode: 200 }))).toEqual([
      'MatterEndpoint.clusters[0].commands["0x00"]["0x00"]: Level is a request field of MoveToLevel; a command response carries no fields (status only), or {} with responseCode/errors, got "0x00"',
    ]);
  });

  it("checks a response command's fields: DoorLock GetUser answered with GetUserResponse", () => {
    expect(messages(response('0x0101', '0x1B', { '0x00': 3 }))).toEqual([]);
    expect(messages(response('0x0101', '0x1B', { '0x00': 'three' }))[0]).toMatch(
      /commands\["0x1B"\]\["0x00"\]: expected integer/,
    );
  });
});
