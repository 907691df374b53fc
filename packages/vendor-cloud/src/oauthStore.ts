import { randomBytes, timingSafeEqual } from 'node:crypto';
import type OAuth2Server from '@node-oauth/oauth2-server';
import { VendorConfigError } from './errors.js';
import type { Simulation } from './simulation.js';

/** An OAuth client registered with the vendor (managed integrations' connector destination). */
export interface OAuthClientConfig {
  clientId: string;
  clientSecret: string;
  /**
   * Allowed redirect URIs. A loopback URI (`http://127.0.0.1/...`, `http://localhost/...`) matches
   * any port, as RFC 8252 §7.3 asks, because the local emulator listens on a random port.
   */
  redirectUris: string[];
}

export const DEFAULT_CLIENTS: readonly OAuthClientConfig[] = [
  {
    clientId: 'c2c-kit-connector',
    clientSecret: 'c2c-kit-connector-secret',
    redirectUris: [
      'http://127.0.0.1/_local/oauth/callback',
      'http://localhost/_local/oauth/callback',
    ],
  },
];

export const SCOPES = ['devices:read', 'devices:write'] as const;

/** The user object carried through the library: which user, and which grant family. */
interface GrantUser {
  userId: string;
  username: string;
  /** One authorization produces one grant; refreshes keep it, so revocation can end the family. */
  grantId: string;
}

/** One token record in the state file. */
export interface PersistedToken {
  clientId: string;
  user: GrantUser;
  scope: string[];
  accessToken?: string;
  accessTokenExpiresAt?: string | undefined;
  refreshToken?: string | undefined;
  refreshTokenExpiresAt?: string | undefined;
}

interface StoredToken extends OAuth2Server.Token {
  user: GrantUser;
}

function secretEquals(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isLoopback(url: URL): boolean {
  return (
    url.protocol === 'http:' &&
    (url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]')
  );
}

/** Exact match, or the same loopback URI with any port (RFC 8252 §7.3). */
export function redirectUriAllowed(candidate: string, registered: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return false;
  }
  return registered.some((r) => {
    if (r === candidate) return true;
    const reg = new URL(r);
    return (
      isLoopback(url) &&
      isLoopback(reg) &&
      url.hostname === reg.hostname &&
      url.pathname === reg.pathname &&
      url.search === reg.search
    );
  });
}

/**
 * In-memory storage behind `@node-oauth/oauth2-server`'s model interface (authorization code +
 * refresh token grants), plus RFC 7009 revocation of whole grant families.
 */
export class OAuthStore
  implements OAuth2Server.AuthorizationCodeModel, OAuth2Server.RefreshTokenModel
{
  private readonly clients = new Map<string, OAuthClientConfig>();
  private readonly codes = new Map<string, OAuth2Server.AuthorizationCode>();
  private readonly accessTokens = new Map<string, StoredToken>();
  private readonly refreshTokens = new Map<string, StoredToken>();
  /** Called after every token change, so a state file can be written (see `persist.ts`). */
  onChange: (() => void) | undefined;

  constructor(
    clients: readonly OAuthClientConfig[],
    private readonly simulation: Simulation,
  ) {
    clients.forEach((c, i) => {
      if (!c.clientId || !c.clientSecret) {
        throw new VendorConfigError(`clients[${i}]`, 'clientId and clientSecret are required');
      }
      c.redirectUris.forEach((u, j) => {
        if (!URL.canParse(u))
          throw new VendorConfigError(`clients[${i}].redirectUris[${j}]`, 'not a URL');
      });
      this.clients.set(c.clientId, c);
    });
  }

  clientConfig(clientId: string): OAuthClientConfig | undefined {
    return this.clients.get(clientId);
  }

  /** The registered clients as plain data (secrets included), for the state file. */
  clientConfigs(): OAuthClientConfig[] {
    return [...this.clients.values()].map((c) => ({ ...c, redirectUris: [...c.redirectUris] }));
  }

  /** Checks client credentials (constant-time on the secret). */
  authenticateClient(clientId: string, clientSecret: string): OAuthClientConfig | undefined {
    const c = this.clients.get(clientId);
    return c && secretEquals(c.clientSecret, clientSecret) ? c : undefined;
  }

  /** A user object for the library, starting a new grant family. */
  newGrantUser(userId: string, username: string): GrantUser {
    return { userId, username, grantId: randomBytes(12).toString('hex') };
  }

  // --- @node-oauth/oauth2-server model -----------------------------------------------------

  async getClient(
    clientId: string,
    clientSecret: string | null,
  ): Promise<OAuth2Server.Client | false> {
    const c = this.clients.get(clientId);
    if (!c) return false;
    // The library passes a null secret on the authorize endpoint, where no client auth happens.
    if (
      clientSecret !== null &&
      clientSecret !== undefined &&
      !secretEquals(c.clientSecret, clientSecret)
    ) {
      return false;
    }
    return {
      id: c.clientId,
      redirectUris: c.redirectUris,
      grants: ['authorization_code', 'refresh_token'],
    };
  }

  async validateRedirectUri(redirectUri: string, client: OAuth2Server.Client): Promise<boolean> {
    const registered = this.clients.get(client.id)?.redirectUris ?? [];
    return redirectUriAllowed(redirectUri, registered);
  }

  async validateScope(
    _user: OAuth2Server.User,
    _client: OAuth2Server.Client,
    scope?: string[],
  ): Promise<string[] | false> {
    if (!scope || scope.length === 0) return [...SCOPES];
    return scope.every((s) => (SCOPES as readonly string[]).includes(s)) ? scope : false;
  }

  async verifyScope(token: OAuth2Server.Token, scope: string[]): Promise<boolean> {
    return scope.every((s) => token.scope?.includes(s));
  }

  async generateAccessToken(): Promise<string> {
    return `acme_at_${randomBytes(24).toString('base64url')}`;
  }

  async generateRefreshToken(): Promise<string> {
    return `acme_rt_${randomBytes(24).toString('base64url')}`;
  }

  async generateAuthorizationCode(): Promise<string> {
    return `acme_code_${randomBytes(16).toString('base64url')}`;
  }

  async saveAuthorizationCode(
    code: Pick<
      OAuth2Server.AuthorizationCode,
      'authorizationCode' | 'expiresAt' | 'redirectUri' | 'scope'
    >,
    client: OAuth2Server.Client,
    user: OAuth2Server.User,
  ): Promise<OAuth2Server.AuthorizationCode> {
    const saved = { ...code, client, user };
    this.codes.set(code.authorizationCode, saved);
    return saved;
  }

  async getAuthorizationCode(code: string): Promise<OAuth2Server.AuthorizationCode | false> {
    return this.codes.get(code) ?? false;
  }

  async revokeAuthorizationCode(code: OAuth2Server.AuthorizationCode): Promise<boolean> {
    return this.codes.delete(code.authorizationCode);
  }

  async saveToken(
    token: OAuth2Server.Token,
    client: OAuth2Server.Client,
    user: OAuth2Server.User,
  ): Promise<OAuth2Server.Token> {
    const stored: StoredToken = { ...token, client, user: user as GrantUser };
    this.accessTokens.set(token.accessToken, stored);
    if (token.refreshToken) this.refreshTokens.set(token.refreshToken, stored);
    this.onChange?.();
    return stored;
  }

  async getAccessToken(accessToken: string): Promise<OAuth2Server.Token | false> {
    const t = this.accessTokens.get(accessToken);
    // A token of a user who no longer exists is treated as revoked.
    return t && this.simulation.userById(t.user.userId) ? t : false;
  }

  async getRefreshToken(refreshToken: string): Promise<OAuth2Server.RefreshToken | false> {
    const t = this.refreshTokens.get(refreshToken);
    if (!t || t.refreshToken === undefined) return false;
    const out: OAuth2Server.RefreshToken = {
      refreshToken: t.refreshToken,
      client: t.client,
      user: t.user,
    };
    if (t.refreshTokenExpiresAt) out.refreshTokenExpiresAt = t.refreshTokenExpiresAt;
    if (t.scope) out.scope = t.scope;
    return out;
  }

  /** Used by the library when a refresh token is rotated: only that refresh token goes. */
  async revokeToken(token: OAuth2Server.RefreshToken): Promise<boolean> {
    const deleted = this.refreshTokens.delete(token.refreshToken);
    this.onChange?.();
    return deleted;
  }

  // --- RFC 7009 ---------------------------------------------------------------------------

  /** Finds an access or refresh token (either kind; `hint` only decides which map is read first). */
  lookup(token: string, hint?: string): StoredToken | undefined {
    const [first, second] =
      hint === 'refresh_token'
        ? [this.refreshTokens, this.accessTokens]
        : [this.accessTokens, this.refreshTokens];
    return first.get(token) ?? second.get(token);
  }

  /**
   * Revokes every access and refresh token of the grant the token belongs to, so DeactivateUser,
   * which only holds the access token, also ends the refresh token (contract: revoke both).
   */
  revokeGrant(grantId: string): number {
    let count = 0;
    for (const map of [this.accessTokens, this.refreshTokens]) {
      for (const [key, t] of map) {
        if (t.user.grantId === grantId) {
          map.delete(key);
          count += 1;
        }
      }
    }
    if (count > 0) this.onChange?.();
    return count;
  }

  /**
   * Live tokens as plain data (which of each record's tokens are still valid), for the state file.
   * Rotated or revoked tokens are left out, so a restore never brings one back.
   */
  snapshot(): PersistedToken[] {
    const records = new Set<StoredToken>([
      ...this.accessTokens.values(),
      ...this.refreshTokens.values(),
    ]);
    return [...records].map((t) => {
      const accessLive = this.accessTokens.get(t.accessToken) === t;
      const refreshLive =
        t.refreshToken !== undefined && this.refreshTokens.get(t.refreshToken) === t;
      return {
        clientId: t.client.id,
        user: t.user,
        scope: t.scope ?? [],
        ...(accessLive
          ? {
              accessToken: t.accessToken,
              accessTokenExpiresAt: t.accessTokenExpiresAt?.toISOString(),
            }
          : {}),
        ...(refreshLive
          ? {
              refreshToken: t.refreshToken,
              refreshTokenExpiresAt: t.refreshTokenExpiresAt?.toISOString(),
            }
          : {}),
      };
    });
  }

  /** Loads tokens saved by `snapshot()`; records of unknown clients or users are dropped. */
  restore(tokens: readonly PersistedToken[]): number {
    let loaded = 0;
    for (const p of tokens) {
      const client = this.clients.get(p.clientId);
      if (!client || !this.simulation.userById(p.user.userId)) continue;
      const record: StoredToken = {
        accessToken: p.accessToken ?? '',
        client: {
          id: client.clientId,
          redirectUris: client.redirectUris,
          grants: ['authorization_code', 'refresh_token'],
        },
        user: p.user,
        scope: [...p.scope],
      };
      if (p.accessTokenExpiresAt) record.accessTokenExpiresAt = new Date(p.accessTokenExpiresAt);
      if (p.refreshToken) record.refreshToken = p.refreshToken;
      if (p.refreshTokenExpiresAt) record.refreshTokenExpiresAt = new Date(p.refreshTokenExpiresAt);
      if (p.accessToken) this.accessTokens.set(p.accessToken, record);
      if (p.refreshToken) this.refreshTokens.set(p.refreshToken, record);
      loaded += 1;
    }
    return loaded;
  }

  /**
   * Whether the user holds a live grant (an unexpired access token or a refresh token) with any
   * client: the vendor's notion of "this user linked an integration", which ends with revocation.
   */
  hasLiveGrant(userId: string, now = Date.now()): boolean {
    for (const t of this.refreshTokens.values()) {
      if (
        t.user.userId === userId &&
        (!t.refreshTokenExpiresAt || t.refreshTokenExpiresAt.getTime() > now)
      )
        return true;
    }
    for (const t of this.accessTokens.values()) {
      if (
        t.user.userId === userId &&
        (!t.accessTokenExpiresAt || t.accessTokenExpiresAt.getTime() > now)
      )
        return true;
    }
    return false;
  }

  /** Numbers for the simulation control API (never the tokens themselves). */
  stats(): { accessTokens: number; refreshTokens: number; codes: number } {
    return {
      accessTokens: this.accessTokens.size,
      refreshTokens: this.refreshTokens.size,
      codes: this.codes.size,
    };
  }
}
