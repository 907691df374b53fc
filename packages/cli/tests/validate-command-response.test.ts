import { describe, expect, it } from 'vitest';
import { runBin } from './helpers/bin.js';

/** A DEVICE_COMMAND_RESPONSE answering one command of one cluster. */
function response(cluster: string, command: string, fields: unknown, statusCode = 200): string {
  return JSON.stringify({
    Operation: 'DEVICE_COMMAND_RESPONSE',
    OperationVersion: '1.0',
    StatusCode: statusCode,
    TraceId: '9b75f3839b6140f=_1',
    MatterEndpoint: { id: '1', clusters: [{ id: cluster, commands: { [command]: fields } }] },
  });
}

describe('c2c validate on DEVICE_COMMAND_RESPONSE (real bin)', () => {
  it('accepts every shape a command response takes', async () => {
    const shapes = [
      // The model's example shape: the command id answered with {} (status only).
      response('0x0300', '0x03', {}),
      // Commands whose requests have mandatory fields, answered without them.
      response('0x0008', '0x00', { responseCode: 200 }),
      response('0x0201', '0x00', {}),
      response('0x0300', '0x0A', { responseCode: 200 }),
      // A failure, with the per-command code and reason the connector runtime sends.
      response(
        '0x0008',
        '0x00',
        { responseCode: 503, errors: { code: '503', message: 'offline' } },
        503,
      ),
      // A command answered by a response command carries that command's fields.
      response('0x0101', '0x1B', { '0x00': 3, '0x01': 'Alice' }),
    ];
    for (const stdin of shapes) {
      const result = await runBin(['validate', '-'], { stdin });
      expect(`${result.code} ${result.stdout}${result.stderr}`, stdin).toMatch(/^0 valid\n/);
    }
  }, 60_000);

  it("refuses the request's fields in a response, saying what a response carries", async () => {
    const result = await runBin(['validate', '-'], {
      stdin: response('0x0008', '0x00', { '0x00': 254 }),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'MatterEndpoint.clusters[0].commands["0x00"]["0x00"]: Level is a request field of MoveToLevel; a command response carries no fields (status only)',
    );
  });

  it('still requires mandatory fields in requests (a DEVICE_COMMAND_REQUEST)', async () => {
    const request = JSON.parse(response('0x0008', '0x00', {})) as Record<string, unknown>;
    request.Operation = 'DEVICE_COMMAND_REQUEST';
    const result = await runBin(['validate', '-'], { stdin: JSON.stringify(request) });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('missing mandatory field Level of MoveToLevel');
  });
});
