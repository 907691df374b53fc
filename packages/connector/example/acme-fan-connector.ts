// A complete C2C connector for the Acme fan cloud (the vendor-cloud simulator's API).
import type { AuthContext, ConnectorOptions } from '@c2c-kit/connector';
import { createConnector, standardWebhooks, UnknownVendorEventError } from '@c2c-kit/connector';
import { capabilityReport, type FanModeName, fanControl, presetEndpoint } from '@c2c-kit/matter';

const API = process.env.ACME_API_URL ?? 'http://127.0.0.1:4000';
type Mode = 'off' | 'low' | 'medium' | 'high' | 'auto';
type State = { mode?: Mode };
type AcmeDevice = { deviceId: string; kind: string; name: string; state: State };
type AcmeEvent = { type: string; deviceId: string; kind: string; userId: string; data: State };
const toMatter = (mode: Mode) => `${mode[0]?.toUpperCase()}${mode.slice(1)}` as FanModeName;
const FROM_MATTER: Record<number, Mode> = { 0: 'off', 1: 'low', 2: 'medium', 3: 'high', 5: 'auto' };

async function acme<T>(auth: AuthContext, path: string, body?: unknown): Promise<T> {
  const token = auth.type === 'OAuth2.0' ? auth.accessToken : auth.secret;
  const res = await fetch(`${API}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`Acme ${path} answered HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** The vendor logic; the handler below is all a deployment needs. */
export const acmeFan: ConnectorOptions<AcmeEvent> = {
  vendor: {
    resolveUser: async ({ auth }) => (await acme<{ userId: string }>(auth, '/api/v1/me')).userId,
    listDevices: async ({ auth }) => {
      const { devices } = await acme<{ devices: AcmeDevice[] }>(auth, '/api/v1/devices');
      const report = capabilityReport({ endpoints: [presetEndpoint('fan')] });
      return devices
        .filter((d) => d.kind === 'fan')
        .map((d) => ({ connectorDeviceId: d.deviceId, name: d.name, capabilityReport: report }));
    },
    executeCommand: async ({ auth, connectorDeviceId, endpoints }) => {
      const fan = endpoints[0]?.clusters?.find((c) => c.id === '0x0202');
      const mode = FROM_MATTER[Number((fan?.attributes as Record<string, unknown>)?.['0x0000'])];
      const result = { endpointId: '1', clusterId: '0x0202' };
      if (!mode) return [{ ...result, status: 400, message: 'unsupported fan mode' }];
      const path = `/api/v1/devices/${connectorDeviceId}/commands`;
      const device = await acme<AcmeDevice>(auth, path, { command: 'setMode', params: { mode } });
      const now = fanControl.fanMode(toMatter(device.state.mode ?? mode));
      return [{ ...result, attributes: now.attributes }];
    },
  },
  webhooks: {
    verifier: standardWebhooks({ secrets: (process.env.ACME_WEBHOOK_SECRETS ?? '').split(',') }),
    translate: (e) => {
      if (e.type !== 'device.state' || e.kind !== 'fan' || !e.data.mode) {
        throw new UnknownVendorEventError(`${e.type}:${e.kind}`);
      }
      const clusters = [fanControl.fanMode(toMatter(e.data.mode))];
      return { connectorDeviceId: e.deviceId, userId: e.userId, clusters };
    },
  },
};
export const handler = createConnector(acmeFan);
