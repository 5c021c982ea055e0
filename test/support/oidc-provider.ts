/**
 * A real OpenID Connect provider (the `oidc-provider` package) on 127.0.0.1 for the console's
 * single sign-on tests. Its login and consent steps complete on their own for the user the test
 * chose (`signInAs`), so tests drive the real authorisation code flow end to end (PKCE, state,
 * nonce, signed ID token) without a login form.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestUser {
  readonly sub: string;
  readonly name?: string;
  /** The `nara_role` claim: a string, an array, or absent. */
  readonly role?: string | readonly string[];
  readonly tenant?: string;
}

export interface TestOidcProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The user the next login completes as. */
  signInAs(user: TestUser): void;
  close(): Promise<void>;
}

export async function startOidcProvider(redirectUris: readonly string[]): Promise<TestOidcProvider> {
  const users = new Map<string, TestUser>();
  let next: TestUser = { sub: 'nobody' };
  const clientId = 'nara-console';
  const clientSecret = 'test-client-secret-0123456789abcdef';
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [...redirectUris], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_post' }],
    claims: { openid: ['sub'], profile: ['name'], nara: ['nara_role', 'nara_tenant'] },
    scopes: ['openid', 'profile', 'nara'],
    // Claims in the ID token itself, as many enterprise providers are set up to do.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_context, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_context, sub) => {
      const user = users.get(sub);
      if (user === undefined) return undefined;
      return { accountId: sub, claims: () => ({ sub, name: user.name, nara_role: user.role, nara_tenant: user.tenant }) };
    },
    cookies: { keys: ['test-cookie-key-0123456789'] },
  });
  const callback = provider.callback();
  server.on('request', (request, response) => {
    if (request.url?.startsWith('/interaction/') === true) {
      void interact(provider, request, response, () => next, users).catch((error: unknown) => {
        response.writeHead(500);
        response.end(String(error));
      });
      return;
    }
    void callback(request, response);
  });
  return {
    issuer,
    clientId,
    clientSecret,
    signInAs(user) {
      users.set(user.sub, user);
      next = user;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function interact(provider: Provider, request: IncomingMessage, response: ServerResponse, user: () => TestUser, users: Map<string, TestUser>): Promise<void> {
  const details = await provider.interactionDetails(request, response);
  if (details.prompt.name === 'login') {
    users.set(user().sub, user());
    await provider.interactionFinished(request, response, { login: { accountId: user().sub } }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = details.grantId === undefined ? new provider.Grant({ accountId: details.session?.accountId, clientId: String(details.params.client_id) }) : await provider.Grant.find(details.grantId);
  if (grant === undefined) throw new Error('grant vanished');
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
  if (missing.missingOIDCScope !== undefined) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims !== undefined) grant.addOIDCClaims(missing.missingOIDCClaims);
  await provider.interactionFinished(request, response, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
}
