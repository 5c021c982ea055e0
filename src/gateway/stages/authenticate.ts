/** Stage "authenticate": the bearer key decides the tenant. */
import type { KeyIndex, Principal } from '../../spec/auth.js';
import { NaraError } from '../../spec/errors.js';
import { pass, stop, type Verdict } from '../../spec/stage.js';
import type { TenantConfig } from '../../config/types.js';

export interface Authenticated {
  readonly principal: Principal;
  readonly tenant: TenantConfig;
}

export function authenticate(
  authorization: string | undefined,
  keys: KeyIndex,
  tenants: ReadonlyMap<string, TenantConfig>,
): Verdict<Authenticated> {
  if (authorization === undefined || authorization === '') {
    return stop(new NaraError('missing_api_key', 'Missing API key: send "Authorization: Bearer <key>" (create one with `nara keys create --tenant ID`).'));
  }
  const token = bearerToken(authorization);
  if (token === undefined) {
    return stop(new NaraError('invalid_api_key', 'The Authorization header must be "Bearer <key>".'));
  }
  const found = keys.lookup(token);
  if (found.status === 'revoked') return stop(new NaraError('api_key_revoked', 'This API key has been revoked.'));
  if (found.status === 'expired') return stop(new NaraError('api_key_expired', 'This API key has expired; ask your administrator for a new one.'));
  if (found.status === 'admin') {
    return stop(new NaraError('invalid_api_key', 'This is the admin token: it is accepted only on /admin. Send a tenant API key here.'));
  }
  if (found.status === 'unknown') return stop(new NaraError('invalid_api_key', 'Incorrect API key provided.'));
  const tenant = tenants.get(found.principal.tenantId);
  if (tenant === undefined) {
    return stop(new NaraError('invalid_api_key', "This API key's tenant is no longer configured."));
  }
  return pass({ principal: found.principal, tenant });
}

function bearerToken(header: string): string | undefined {
  // Case-insensitive scheme, as RFC 7235 says; the token itself is opaque.
  if (header.length < 8 || header.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  const token = header.slice(7).trim();
  return token === '' ? undefined : token;
}
