/**
 * THE SEAM: everything this connector knows about your device cloud's API is in this file.
 *
 * As generated, `HttpVendorClient` talks to c2c-kit's simulated vendor cloud (`c2c dev` runs it),
 * so the project works out of the box. To connect your own cloud, change the four calls below
 * (paths, auth header, response shapes) and `parseVendorEvent` (your webhook payload), keeping the
 * `VendorClient` interface; the rest of the connector (translation, the four operations, webhooks)
 * does not change. The vendor's own device model is kept as is: the files in `src/devices/`
 * translate it to Matter.
 */

/** A device as your cloud describes it. */
export interface VendorDevice {
  readonly deviceId: string;
  /** Your cloud's device type; `src/devices/index.ts` maps each supported one to Matter. */
  readonly kind: string;
  readonly name: string;
  readonly online: boolean;
  readonly manufacturer?: string;
  readonly model?: string;
  readonly serialNumber?: string;
  readonly firmwareVersion?: string;
  readonly state: Record<string, unknown>;
}

/** A command in your cloud's terms (`src/devices/*.ts` build them from Matter commands). */
export interface VendorCommand {
  readonly command: string;
  readonly params?: Record<string, unknown>;
}

/** One webhook your cloud sends when a device changes. */
export interface VendorEvent {
  readonly eventId: string;
  readonly type: string;
  readonly deviceId: string;
  readonly kind: string;
  readonly userId: string;
  readonly data: Record<string, unknown>;
}

/** What the connector needs from your cloud, each call made with the end user's access token. */
export interface VendorClient {
  /** The user the token belongs to: a stable id, no e-mail address or phone number. */
  me(token: string): Promise<{ userId: string }>;
  listDevices(token: string): Promise<VendorDevice[]>;
  getDevice(token: string, deviceId: string): Promise<VendorDevice>;
  /** Runs a command and returns the device afterwards. */
  command(token: string, deviceId: string, command: VendorCommand): Promise<VendorDevice>;
  /** Revokes the user's tokens (account unlinked). */
  revoke(token: string): Promise<void>;
}

/** Your cloud answered an error status. `status` decides what the connector does with it. */
export class VendorApiError extends Error {
  override readonly name = 'VendorApiError';
  constructor(
    readonly status: number,
    readonly vendorCode: string,
    message: string,
  ) {
    super(message);
  }
}

/** REST client for the simulated vendor cloud's API (`/api/v1`, OAuth 2.0 bearer tokens). */
export class HttpVendorClient implements VendorClient {
  constructor(private readonly baseUrl: string) {}

  async me(token: string): Promise<{ userId: string }> {
    return this.request(token, 'GET', '/api/v1/me');
  }

  async listDevices(token: string): Promise<VendorDevice[]> {
    const body = await this.request<{ devices: VendorDevice[] }>(token, 'GET', '/api/v1/devices');
    return body.devices;
  }

  async getDevice(token: string, deviceId: string): Promise<VendorDevice> {
    return this.request(token, 'GET', `/api/v1/devices/${encodeURIComponent(deviceId)}`);
  }

  async command(token: string, deviceId: string, command: VendorCommand): Promise<VendorDevice> {
    const path = `/api/v1/devices/${encodeURIComponent(deviceId)}/commands`;
    return this.request(token, 'POST', path, command);
  }

  async revoke(token: string): Promise<void> {
    const response = await fetch(new URL('/oauth/revoke', this.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });
    if (!response.ok) throw await apiError(response, '/oauth/revoke');
  }

  private async request<T>(token: string, method: string, path: string, body?: unknown) {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw await apiError(response, path);
    return (await response.json()) as T;
  }
}

/** The simulated cloud's error body: `{ "error": { "code", "message" } }`. */
async function apiError(response: Response, path: string): Promise<VendorApiError> {
  const text = await response.text();
  let code = `http_${response.status}`;
  let message = text.slice(0, 200);
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } | string };
    if (typeof parsed.error === 'object') {
      code = parsed.error.code ?? code;
      message = parsed.error.message ?? message;
    } else if (typeof parsed.error === 'string') {
      code = parsed.error;
    }
  } catch {
    // not JSON: keep the text
  }
  return new VendorApiError(
    response.status,
    code,
    `${path} answered ${response.status}: ${message}`,
  );
}

/**
 * A verified webhook body → the vendor event. The signature was checked before this runs, so a
 * bad shape is a vendor-side bug or an API change: it is refused naming the field.
 */
export function parseVendorEvent(body: string): VendorEvent {
  const value = JSON.parse(body) as Record<string, unknown>;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('webhook body: expected a JSON object');
  }
  for (const key of ['eventId', 'type', 'deviceId', 'kind', 'userId']) {
    if (typeof value[key] !== 'string' || value[key] === '') {
      throw new Error(`webhook body.${key}: expected a non-empty string`);
    }
  }
  if (typeof value.data !== 'object' || value.data === null || Array.isArray(value.data)) {
    throw new Error('webhook body.data: expected an object');
  }
  return value as unknown as VendorEvent;
}
