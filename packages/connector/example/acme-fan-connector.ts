// A complete C2C connector for the Acme fan cloud (the vendor-cloud simulator's API).
import {
  type AuthContext,
  createConnector,
  defineTranslator,
  standardWebhooks,
} from '@c2c-kit/connector';
import { capabilityReport, type FanModeName, fanControl, presetEndpoint } from '@c2c-kit/matter';

const API = process.env.ACME_API_URL ?? 'http://127.0.0.1:4000';
type Mode = 'off' | 'low' | 'medium' | 'high' | 'auto';
const TO_MATTER: Record<Mode, FanModeName> = {
  off: 'Off',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  auto: 'Auto',
};
const FROM_MATTER: Record<number, Mode> = { 0: 'off', 1: 'low', 2: 'medium', 3: 'high', 5: 'auto' };
type AcmeDevice = { deviceId: string; kind: string; name: string; state: { mode?: Mode } };
type AcmeEvent = {
  type: string;
  deviceId: string;
  kind: string;
  userId: string;
  data: { mode?: Mode };
};

async function acme<T>(auth: AuthContext, path: string, body?: unknown): Promise<T> {
  const token = auth.type === 'OAuth2.0' ? auth.accessToken : auth.secret;
  const res = await fetch(`${API}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`Acme ${path} answered HTTP ${res.status}`);
  return (await res.json()) as T;
}

export const handler = createConnector<AcmeEvent>({
  resolveUser: async ({ auth }) => (await acme<{ userId: string }>(auth, '/api/v1/me')).userId,
  listDevices: async ({ auth }) => {
    const { devices } = await acme<{ devices: AcmeDevice[] }>(auth, '/api/v1/devices');
    return devices
      .filter((d) => d.kind === 'fan')
      .map((d) => ({
        connectorDeviceId: d.deviceId,
        name: d.name,
        capabilityReport: capabilityReport({ endpoints: [presetEndpoint('fan')] }),
      }));
  },
  executeCommand: async ({ auth, connectorDeviceId, endpoints }) => {
    const fan = endpoints[0]?.clusters?.find((c) => c.id === '0x0202');
    const mode =
      FROM_MATTER[Number((fan?.attributes as Record<string, unknown> | undefined)?.['0x0000'])];
    if (!mode)
      return [
        { endpointId: '1', clusterId: '0x0202', status: 400, message: 'unsupported fan mode' },
      ];
    const device = await acme<AcmeDevice>(auth, `/api/v1/devices/${connectorDeviceId}/commands`, {
      command: 'setMode',
      params: { mode },
    });
    const now = fanControl.fanMode(TO_MATTER[device.state.mode ?? mode]);
    return [
      {
        endpointId: '1',
        clusterId: '0x0202',
        ...(now.attributes ? { attributes: now.attributes } : {}),
      },
    ];
  },
  webhooks: {
    verifier: standardWebhooks({ secrets: (process.env.ACME_WEBHOOK_SECRETS ?? '').split(',') }),
    translate: defineTranslator<AcmeEvent>({
      typeOf: (e) => (e.kind === 'fan' && e.data.mode ? e.type : `${e.type}:${e.kind}`),
      rules: {
        'device.state': (e) => ({
          connectorDeviceId: e.deviceId,
          userId: e.userId,
          clusters: [fanControl.fanMode(TO_MATTER[e.data.mode as Mode])],
        }),
      },
    }),
  },
});
