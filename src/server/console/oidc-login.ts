/**
 * Single sign-on for the console: the OpenID Connect authorisation code flow with PKCE, state and
 * nonce, done by openid-client (discovery, token exchange, ID token checks). Nara adds only the
 * mapping from the user's claims to a console role and tenant, and the short-lived record of the
 * logins in progress.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import type { ConsoleRole, Principal } from '../../spec/console-api.js';
import { NaraError } from '../../spec/errors.js';

export interface OidcSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly redirectUrl?: string | undefined;
  readonly scopes: readonly string[];
  readonly roleClaim: string;
  readonly tenantClaim: string;
  readonly roles: Readonly<Record<string, ConsoleRole>>;
  readonly label: string;
  readonly allowInsecureHttp: boolean;
}

/**
 * A login in progress, kept in the browser's own cookie, sealed (AES-256-GCM under a key this
 * process made): nothing is held in server memory, so no flood of unfinished logins can push out a
 * real user's, and nothing in it can be read or changed by the browser.
 */
interface PendingLogin {
  readonly state: string;
  readonly verifier: string;
  readonly nonce: string;
  readonly redirectUri: string;
  readonly returnTo: string;
  readonly expiresAt: number;
}

/** A login not finished within this time must start again. */
export const pendingLifetimeMs = 10 * 60_000;
/** Highest first: a user holding several roles gets the strongest. */
const roleOrder: readonly ConsoleRole[] = ['operator', 'auditor', 'tenant_admin'];

export class OidcLogin {
  readonly #sealKey = randomBytes(32);
  #configuration: Promise<oidc.Configuration> | undefined;

  constructor(
    readonly settings: OidcSettings,
    private readonly tenantExists: (id: string) => boolean,
  ) {}

  get label(): string {
    return this.settings.label;
  }

  /** Where to send the browser, and the sealed login (its cookie) that binds the callback to this browser. */
  async start(requestOrigin: string, returnTo: string): Promise<{ readonly url: string; readonly sealed: string }> {
    const configuration = await this.#configure();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const redirectUri = this.settings.redirectUrl ?? `${requestOrigin}/admin/v1/oidc/callback`;
    const sealed = this.#seal({ state, verifier, nonce, redirectUri, returnTo, expiresAt: Date.now() + pendingLifetimeMs });
    const scopes = new Set(['openid', ...this.settings.scopes]);
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: [...scopes].join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, sealed };
  }

  /** Checks the callback against the browser's sealed login, exchanges the code, maps the claims. */
  async finish(callbackPath: string, sealed: string | undefined): Promise<{ readonly principal: Principal; readonly returnTo: string }> {
    const query = new URLSearchParams(callbackPath.includes('?') ? callbackPath.slice(callbackPath.indexOf('?') + 1) : '');
    const state = query.get('state') ?? '';
    const providerError = query.get('error');
    if (providerError !== null) throw new NaraError('oidc_invalid_callback', `The identity provider refused the sign-in (${providerError.replace(/[^\w.-]/g, '').slice(0, 80)}).`);
    // The cookie is cleared by this answer: a replayed callback finds no login in progress.
    const pending = sealed === undefined ? undefined : this.#open(sealed);
    if (pending === undefined || pending.expiresAt <= Date.now()) throw new NaraError('oidc_invalid_callback', 'No sign-in in progress matches this callback (expired, replayed or started in another browser): sign in again.');
    if (pending.state !== state) throw new NaraError('oidc_invalid_callback', 'This callback belongs to another sign-in: sign in again.');
    const configuration = await this.#configure();
    const callbackUrl = new URL(pending.redirectUri);
    callbackUrl.search = query.toString();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, { pkceCodeVerifier: pending.verifier, expectedState: state, expectedNonce: pending.nonce, idTokenExpected: true });
    } catch (error) {
      throw new NaraError('oidc_failed', `The sign-in could not be completed with the identity provider: ${describe(error)}`, { cause: error });
    }
    const idClaims = tokens.claims();
    if (idClaims === undefined) throw new NaraError('oidc_failed', 'The identity provider sent no ID token.');
    let claims: Readonly<Record<string, unknown>> = idClaims;
    if (claims[this.settings.roleClaim] === undefined && configuration.serverMetadata().userinfo_endpoint !== undefined) {
      // Some providers put custom claims only in userinfo.
      try {
        claims = { ...(await oidc.fetchUserInfo(configuration, tokens.access_token, idClaims.sub)), ...idClaims };
      } catch (error) {
        throw new NaraError('oidc_failed', `The identity provider's userinfo could not be read: ${describe(error)}`, { cause: error });
      }
    }
    return { principal: this.principalOf(claims), returnTo: pending.returnTo };
  }

  /** The console role and tenant a user's claims give, or the reason there is none. */
  principalOf(claims: Readonly<Record<string, unknown>>): Principal {
    const raw = claims[this.settings.roleClaim];
    const values = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.filter((value): value is string => typeof value === 'string') : [];
    const granted = new Set(values.map((value) => this.settings.roles[value]).filter((role): role is ConsoleRole => role !== undefined));
    const role = roleOrder.find((candidate) => granted.has(candidate));
    const subject = typeof claims.sub === 'string' ? claims.sub : 'unknown';
    const name = typeof claims.name === 'string' ? claims.name : typeof claims.email === 'string' ? claims.email : undefined;
    if (role === undefined) throw new NaraError('oidc_no_role', `Your account has no Nara console role: ask for one of ${Object.keys(this.settings.roles).join(', ')} in the '${this.settings.roleClaim}' claim.`);
    if (role !== 'tenant_admin') return { subject, name, role, via: 'oidc' };
    const tenant = claims[this.settings.tenantClaim];
    if (typeof tenant !== 'string' || !this.tenantExists(tenant)) {
      throw new NaraError('oidc_no_tenant', `A tenant admin needs the '${this.settings.tenantClaim}' claim naming an existing tenant.`);
    }
    return { subject, name, role, tenant, via: 'oidc' };
  }

  #configure(): Promise<oidc.Configuration> {
    this.#configuration ??= oidc
      .discovery(
        new URL(this.settings.issuer),
        this.settings.clientId,
        this.settings.clientSecret,
        this.settings.clientSecret === undefined ? oidc.None() : oidc.ClientSecretPost(this.settings.clientSecret),
        this.settings.allowInsecureHttp ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        // Not cached: the provider may be back on the next attempt.
        this.#configuration = undefined;
        throw new NaraError('oidc_failed', `Cannot read the identity provider's discovery document at ${this.settings.issuer}: ${describe(error)}`, { cause: error });
      });
    return this.#configuration;
  }

  #seal(login: PendingLogin): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#sealKey, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(login), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The sealed login, or undefined when it was not sealed here (forged, altered, or from before a restart). */
  #open(sealed: string): PendingLogin | undefined {
    try {
      const data = Buffer.from(sealed, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.#sealKey, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      const text = Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
      return JSON.parse(text) as PendingLogin;
    } catch {
      return undefined;
    }
  }
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.message}${'code' in error && typeof error.code === 'string' ? ` (${error.code})` : ''}` : String(error);
  return text.slice(0, 300);
}
