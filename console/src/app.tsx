/** Routes of the console (under /console): sign-in outside the frame, every other page inside it. */
import { lazy, Suspense, type ReactNode } from 'react';
import { Link, Redirect, Route, Router, Switch } from 'wouter';
import { Loading } from './components/states.js';
import { LangProvider, useMessages } from './i18n/index.js';
import { Layout, navFor, roleLabel } from './layout.js';
import { can, RequireSession, SessionProvider, useSession, type Area } from './session.js';
import { shellMessages } from './shell-messages.js';

// Every page is its own chunk: the first load carries the frame only.
const loaders = {
  signin: () => import('./pages/signin/signin-page.js'),
  overview: () => import('./pages/overview/overview-page.js'),
  residency: () => import('./pages/residency/residency-page.js'),
  tenants: () => import('./pages/tenants/tenants-page.js'),
  tenant: () => import('./pages/tenants/tenant-page.js'),
  backends: () => import('./pages/backends/backends-page.js'),
  audit: () => import('./pages/audit/audit-page.js'),
  provenance: () => import('./pages/provenance/provenance-page.js'),
  safety: () => import('./pages/safety/safety-page.js'),
  playground: () => import('./pages/playground/playground-page.js'),
  eval: () => import('./pages/eval/eval-page.js'),
};

const SignInPage = lazy(loaders.signin);
const OverviewPage = lazy(loaders.overview);
const ResidencyPage = lazy(loaders.residency);
const TenantsPage = lazy(loaders.tenants);
const TenantPage = lazy(loaders.tenant);
const BackendsPage = lazy(loaders.backends);
const AuditPage = lazy(loaders.audit);
const ProvenancePage = lazy(loaders.provenance);
const SafetyPage = lazy(loaders.safety);
const PlaygroundPage = lazy(loaders.playground);
const EvalPage = lazy(loaders.eval);

/**
 * The code of the page the address names starts loading with the shell, alongside the session
 * check, instead of after it. (A module is fetched once: the lazy component's own import reuses it.)
 */
function preloadCurrentPage(): void {
  const path = window.location.pathname.replace(/^\/console/, '').replace(/\/+$/, '');
  const [, section, id] = path.split('/');
  const name = section === undefined || section === '' ? 'overview' : section === 'tenants' && id !== undefined ? 'tenant' : section;
  const loader = (loaders as Record<string, (() => Promise<unknown>) | undefined>)[name];
  // A failure here is reported by the page itself when it renders.
  loader?.().catch(() => undefined);
}

preloadCurrentPage();

export function App() {
  return (
    <LangProvider>
      <Router base="/console">
        <SessionProvider>
          <Switch>
            <Route path="/signin">
              <Suspense fallback={<Loading />}>
                <SignInPage />
              </Suspense>
            </Route>
            <Route>
              <RequireSession>
                <Layout>
                  <Suspense fallback={<Loading />}>
                    <Pages />
                  </Suspense>
                </Layout>
              </RequireSession>
            </Route>
          </Switch>
        </SessionProvider>
      </Router>
    </LangProvider>
  );
}

function Pages() {
  return (
    <Switch>
      <Route path="/">
        <Home />
      </Route>
      <Route path="/residency">
        <Allowed area="residency">
          <ResidencyPage />
        </Allowed>
      </Route>
      <Route path="/tenants">
        <Allowed area="tenants">
          <TenantsPage />
        </Allowed>
      </Route>
      <Route path="/tenants/:id">
        {(params) => (
          <Allowed area="tenants">
            <TenantPage id={params.id} />
          </Allowed>
        )}
      </Route>
      <Route path="/backends">
        <Allowed area="backends">
          <BackendsPage />
        </Allowed>
      </Route>
      <Route path="/audit">
        <Allowed area="audit">
          <AuditPage />
        </Allowed>
      </Route>
      <Route path="/provenance">
        <Allowed area="provenance">
          <ProvenancePage />
        </Allowed>
      </Route>
      <Route path="/safety">
        <Allowed area="safety">
          <SafetyPage />
        </Allowed>
      </Route>
      <Route path="/playground">
        <Allowed area="playground">
          <PlaygroundPage />
        </Allowed>
      </Route>
      <Route path="/eval">
        <Allowed area="eval">
          <EvalPage />
        </Allowed>
      </Route>
      <Route>
        <NotFound />
      </Route>
    </Switch>
  );
}

/** The overview, or for a role without one (auditors) the first page it may open. */
function Home() {
  const { principal } = useSession();
  if (can(principal, 'overview')) return <OverviewPage />;
  const first = navFor(principal)[0];
  return first === undefined ? <Forbidden /> : <Redirect to={first.path} replace />;
}

function Allowed({ area, children }: { area: Area; children: ReactNode }) {
  const { principal } = useSession();
  return can(principal, area) ? children : <Forbidden />;
}

function Forbidden() {
  const t = useMessages(shellMessages);
  const { principal } = useSession();
  return (
    <section data-testid="page-forbidden" className="page">
      <h1>{t('forbidden')}</h1>
      <p>{t('forbiddenBody', { role: roleLabel(t, principal) })}</p>
      <p>
        <Link href="/">{t('goHome')}</Link>
      </p>
    </section>
  );
}

function NotFound() {
  const t = useMessages(shellMessages);
  return (
    <section data-testid="page-not-found" className="page">
      <h1>{t('notFound')}</h1>
      <p>{t('notFoundBody')}</p>
      <p>
        <Link href="/">{t('goHome')}</Link>
      </p>
    </section>
  );
}
