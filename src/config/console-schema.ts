/**
 * nara.yaml's `console` block: the web console at /console, its sessions, single sign-on (OpenID
 * Connect) and where it finds eval runs. See docs/console.md.
 */
import { z } from 'zod';

const roles = ['operator', 'auditor', 'tenant_admin'] as const;

export const consoleOidcSchema = z
  .object({
    issuer: z.url({ message: 'use the issuer URL, e.g. https://sso.example.go.kr/realms/nara (discovery is read from <issuer>/.well-known/openid-configuration)' }).describe('OpenID Connect issuer URL.'),
    clientId: z.string().min(1).describe('The client id registered for Nara at the provider.'),
    clientSecretEnv: z.string().min(1).optional().describe('Environment variable holding the client secret; leave out for a public client (PKCE only).'),
    redirectUrl: z
      .url({ message: 'use the full callback URL, ending in /admin/v1/oidc/callback' })
      .optional()
      .describe('Callback registered at the provider; by default built from the request (http(s)://<host>/admin/v1/oidc/callback).'),
    scopes: z.array(z.string().min(1)).default(['openid', 'profile', 'email']).describe('Scopes asked for; openid is always added.'),
    roleClaim: z.string().min(1).default('nara_role').describe('ID token (or userinfo) claim holding the role: a string or an array of strings.'),
    tenantClaim: z.string().min(1).default('nara_tenant').describe("Claim holding a tenant admin's tenant id."),
    roles: z
      .record(z.string().min(1), z.enum(roles))
      .default({ operator: 'operator', auditor: 'auditor', tenant_admin: 'tenant_admin' })
      .describe('Claim value → role (operator, auditor, tenant_admin). A user whose values map to no role is refused.'),
    label: z.string().min(1).max(60).default('Single sign-on').describe('What the sign-in button says.'),
    allowInsecureHttp: z.boolean().default(false).describe('Allow an http:// issuer (tests, labs). Never in production.'),
  })
  .strict();

export const consoleSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Serve the web console at /console (it needs the admin API, i.e. an admin token, or OIDC).'),
    sessionHours: z.number().positive().max(168).default(8).describe('How long a console sign-in lasts.'),
    secureCookies: z.boolean().default(false).describe('Mark the session cookie Secure (turn on behind HTTPS).'),
    evalRunsDir: z.string().min(1).optional().describe('Directory of `nara eval run --out` runs the console lists; default <dataDir>/eval-runs.'),
    insightsMaxEvents: z
      .number()
      .int()
      .min(1_000)
      .max(50_000_000)
      .default(1_000_000)
      .describe('Most recent audit events the console keeps in memory for its charts (~50 bytes each).'),
    oidc: consoleOidcSchema.optional().describe('OpenID Connect single sign-on for the console.'),
  })
  .strict()
  .prefault({});

export type ConsoleInput = z.infer<typeof consoleSchema>;
