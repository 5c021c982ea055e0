/** Routes of the console (under /console): sign-in outside the frame, every other page inside it. */
import { lazy, Suspense, useEffect, useMemo, type ComponentType, type ReactNode } from 'react';
import { Link, Redirect, Route, Router, Switch } from 'wouter';
import { Loading } from './components/states.js';
import { LangProvider, useMessages } from './i18n/index.js';
import { Layout, navFor, roleLabel } from './layout.js';
import { can, RequireSession, SessionProvider, useSession, type Area } from './session.js';
import { shellMessages } from './shell-messages.js';

// Every page is its own chunk: the first load carries the frame only.
interface PageModule<P> {
  readonly default: ComponentType<P>;
}

interface LazyPage<P> {
  readonly Page: ComponentType<P>;
  preload(): void;
}

/**
 * A page loaded on demand. Once its code is in, it renders at once: React.lazy would still suspend on
 * first render and hold the fallback for its throttle (about 300 ms) even when the module is cached.
 */
function lazyPage<P extends object>(loader: () => Promise<PageModule<P>>): LazyPage<P> {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<PageModule<P>> | undefined;
  const load = () => {
    pending ??= loader().then(
      (module) => {
        loaded = module.default;
        return module;
      },
      (error: unknown) => {
        // Let a later attempt (the page rendering, a retry) fetch again.
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
  const Lazy = lazy(load);
  const Page = (props: P) => {
    const Loaded = loaded;
    return Loaded === undefined ? <Lazy {...props} /> : <Loaded {...props} />;
  };
  return { Page, preload: () => void load().catch(() => undefined) };
}

const pages = {
  signin: lazyPage(() => import('./pages/signin/signin-page.js')),
  overview: lazyPage(() => import('./pages/overview/overview-page.js')),
  residency: lazyPage(() => import('./pages/residency/residency-page.js')),
  tenants: lazyPage(() => import('./pages/tenants/tenants-page.js')),
  tenant: lazyPage(() => import('./pages/tenants/tenant-page.js')),
  backends: lazyPage(() => import('./pages/backends/backends-page.js')),
  audit: lazyPage(() => import('./pages/audit/audit-page.js')),
  provenance: lazyPage(() => import('./pages/provenance/provenance-page.js')),
  safety: lazyPage(() => import('./pages/safety/safety-page.js')),
  playground: lazyPage(() => import('./pages/playground/playground-page.js')),
  eval: lazyPage(() => import('./pages/eval/eval-page.js')),
};

const SignInPage = pages.signin.Page;
const OverviewPage = pages.overview.Page;
const ResidencyPage = pages.residency.Page;
const TenantsPage = pages.tenants.Page;
const TenantPage = pages.tenant.Page;
const BackendsPage = pages.backends.Page;
const AuditPage = pages.audit.Page;
const ProvenancePage = pages.provenance.Page;
const SafetyPage = pages.safety.Page;
const PlaygroundPage = pages.playground.Page;
const EvalPage = pages.eval.Page;

/** The page the address names: its code starts loading with the shell, alongside the session check. */
function currentPage(): keyof typeof pages {
  const path = window.location.pathname.replace(/^\/console/, '').replace(/\/+$/, '');
  const [, section, id] = path.split('/');
  if (section === undefined || section === '') return 'overview';
  if (section === 'tenants' && id !== undefined) return 'tenant';
  return section in pages ? (section as keyof typeof pages) : 'overview';
}

pages[currentPage()].preload();

/** Once signed in and idle, the pages of the navigation load too, so that moving between them is immediate. */
function PreloadPages({ names }: { names: readonly (keyof typeof pages)[] }) {
  useEffect(() => {
    const timer = setTimeout(() => {
      for (const name of names) pages[name].preload();
    }, 1500);
    return () => clearTimeout(timer);
  }, [names]);
  return null;
}

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
                  <PreloadNavigation />
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

function PreloadNavigation() {
  const { principal } = useSession();
  const names = useMemo(() => {
    const allowed = navFor(principal).map((item) => item.id as keyof typeof pages);
    return can(principal, 'tenants') ? [...allowed, 'tenant' as const] : allowed;
  }, [principal]);
  return <PreloadPages names={names} />;
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
