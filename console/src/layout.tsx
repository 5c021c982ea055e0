/** The frame around every signed-in page: header, navigation and the main region. */
import { Component, useEffect, useRef, type ErrorInfo, type ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import type { Principal } from '../../src/spec/console-api.js';
import { useDocumentTitle } from './components/hooks.js';
import { LangSelect } from './components/lang-select.js';
import { useMessages, type Translate } from './i18n/index.js';
import { can, useSession, type Area } from './session.js';
import { shellMessages } from './shell-messages.js';

type ShellKey = keyof (typeof shellMessages)['en'];

interface NavItem {
  readonly id: 'overview' | 'residency' | 'tenants' | 'backends' | 'audit' | 'provenance' | 'safety' | 'playground' | 'eval';
  readonly path: string;
  readonly area: Area;
  readonly label: ShellKey;
}

const navItems: readonly NavItem[] = [
  { id: 'overview', path: '/', area: 'overview', label: 'overview' },
  { id: 'residency', path: '/residency', area: 'residency', label: 'residency' },
  { id: 'tenants', path: '/tenants', area: 'tenants', label: 'tenants' },
  { id: 'backends', path: '/backends', area: 'backends', label: 'backends' },
  { id: 'audit', path: '/audit', area: 'audit', label: 'audit' },
  { id: 'provenance', path: '/provenance', area: 'provenance', label: 'provenance' },
  { id: 'safety', path: '/safety', area: 'safety', label: 'safety' },
  { id: 'playground', path: '/playground', area: 'playground', label: 'playground' },
  { id: 'eval', path: '/eval', area: 'eval', label: 'eval' },
];

/** The navigation a principal sees; a tenant admin's "tenants" goes straight to their tenant. */
export function navFor(principal: Principal): readonly NavItem[] {
  return navItems
    .filter((item) => can(principal, item.area))
    .map((item) => (item.id === 'tenants' && principal.role === 'tenant_admin' && principal.tenant !== undefined ? { ...item, path: `/tenants/${encodeURIComponent(principal.tenant)}`, label: 'myTenant' } : item));
}

function isCurrent(location: string, path: string): boolean {
  if (path === '/') return location === '/';
  const section = path.split('/').slice(0, 2).join('/');
  return location === path || location === section || location.startsWith(`${section}/`);
}

export function roleLabel(t: Translate<(typeof shellMessages)['en']>, principal: Principal): string {
  const role = t(`role_${principal.role}`);
  return principal.tenant === undefined ? role : t('roleOfTenant', { role, tenant: principal.tenant });
}

export function Layout({ children }: { children: ReactNode }) {
  const t = useMessages(shellMessages);
  const { principal, signOut } = useSession();
  const [location] = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  // The browser tab names the page, in the console's language (index.html's title is only the first paint's).
  const current = navFor(principal).find((item) => isCurrent(location, item.path));
  const pageTitle = current === undefined ? t('product') : t('documentTitle', { page: t(current.label) });
  useDocumentTitle(pageTitle);

  // After a navigation, focus moves to the new page (as a full page load would), so that screen
  // readers start there and Tab does not begin in the navigation again.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus({ preventScroll: false });
  }, [location]);

  return (
    <div className="app">
      <a
        className="skip-link"
        href="#main"
        onClick={(event) => {
          event.preventDefault();
          main.current?.focus();
        }}
      >
        {t('skip')}
      </a>
      <header className="app-header">
        <Link href="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          {t('product')}
        </Link>
        <div className="header-tools">
          <p className="principal">
            <span className="visually-hidden">{t('signedInAs')} </span>
            <span className="principal-name">{principal.name ?? principal.subject}</span>
            <span className="role-badge">{roleLabel(t, principal)}</span>
          </p>
          <LangSelect />
          <button type="button" className="button" data-testid="signout" onClick={() => void signOut()}>
            {t('signOut')}
          </button>
        </div>
      </header>
      <div className="app-body">
        <nav className="side-nav" aria-label={t('sections')}>
          <ul>
            {navFor(principal).map((item) => {
              const current = isCurrent(location, item.path);
              return (
                <li key={item.id}>
                  <Link href={item.path} data-testid={`nav-${item.id}`} aria-current={current ? 'page' : undefined} className={current ? 'nav-link current' : 'nav-link'}>
                    {t(item.label)}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <main id="main" ref={main} tabIndex={-1} className="app-main">
          <PageBoundary key={location}>{children}</PageBoundary>
        </main>
      </div>
    </div>
  );
}

/** A page that fails to load (a chunk gone after an upgrade) or to render shows why, not a blank screen. */
class PageBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('console page failed', error, info.componentStack);
  }

  override render(): ReactNode {
    return this.state.failed ? <PageFailed /> : this.props.children;
  }
}

function PageFailed() {
  const t = useMessages(shellMessages);
  return (
    <div className="state state-error" role="alert" data-testid="state-error">
      <p>{t('pageFailed')}</p>
      <button type="button" className="button" onClick={() => window.location.reload()}>
        {t('reload')}
      </button>
    </div>
  );
}
