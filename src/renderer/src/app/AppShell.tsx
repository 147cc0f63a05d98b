import { useEffect, useRef, type ComponentType } from 'react';
import { useAction } from '../api/use-action';
import { Callout, ErrorAlert } from '../components/Alerts';
import { ClockNotice } from '../components/ClockNotice';
import { Button } from '../components/Button';
import { Logo } from '../components/Logo';
import { INFO_NOTICES, ROLE_LABELS, noticeText } from '../format/labels';
import { DEFAULT_ROUTE, hrefOf, isAdminRoute, useNavigation, type Route } from '../stores/navigation';
import { useSession } from '../stores/session';
import { AccountsScreen } from '../screens/admin/AccountsScreen';
import { AuditScreen } from '../screens/admin/AuditScreen';
import { DeliveryScreen } from '../screens/admin/DeliveryScreen';
import { PolicyScreen } from '../screens/admin/PolicyScreen';
import { SecurityScreen } from '../screens/admin/SecurityScreen';
import { DashboardScreen } from '../screens/dashboard/DashboardScreen';
import { MfaSetupWizard } from '../screens/mfa/MfaSetupWizard';
import { SettingsScreen } from '../screens/settings/SettingsScreen';

const PAGES: Record<Route, ComponentType> = {
  dashboard: DashboardScreen,
  'mfa-setup': MfaSetupWizard,
  settings: SettingsScreen,
  'admin/accounts': AccountsScreen,
  'admin/policy': PolicyScreen,
  'admin/delivery': DeliveryScreen,
  'admin/security': SecurityScreen,
  'admin/audit': AuditScreen,
};

/** The signed-in app: who is signed in, where they can go, and the page they are on. */
export function AppShell() {
  const signedIn = useSession((s) => s.signedIn);
  const notices = useSession((s) => s.notices);
  const dismissNotice = useSession((s) => s.dismissNotice);
  const signOut = useAction(useSession((s) => s.signOut));
  const lock = useAction(useSession((s) => s.lock));
  const requested = useNavigation((s) => s.route);
  const isAdmin = signedIn?.account.role === 'admin';
  // An admin page asked for by someone who is not an admin shows the dashboard instead.
  const route: Route = isAdminRoute(requested) && !isAdmin ? DEFAULT_ROUTE : requested;
  const Page = PAGES[route];

  // A new page moves focus to its heading, so that keyboard and screen-reader users start there.
  const firstRoute = useRef(true);
  useEffect(() => {
    if (firstRoute.current) {
      firstRoute.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [route]);

  if (signedIn === null) return null;
  const { account } = signedIn;
  // Setting up two-step sign-in belongs with the rest of the second factor's care, in Settings
  // (which links to it, as the dashboard's card does).
  const section = isAdminRoute(route) ? 'admin' : route === 'mfa-setup' ? 'settings' : route;

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="app-header">
        <div className="app-header__inner">
          <a className="brand" href={hrefOf('dashboard')} aria-label="Latchkey, security dashboard">
            <Logo size={28} />
            <span aria-hidden="true">Latchkey</span>
          </a>
          <nav className="main-nav" aria-label="Main">
            <ul>
              <NavLink route="dashboard" current={section === 'dashboard'}>
                Dashboard
              </NavLink>
              <NavLink route="settings" current={section === 'settings'}>
                Settings
              </NavLink>
              {isAdmin && (
                <NavLink route="admin/accounts" current={section === 'admin'}>
                  Admin
                </NavLink>
              )}
            </ul>
          </nav>
          <div className="app-header__user">
            <span className="avatar avatar--small" aria-hidden="true">
              {account.username.slice(0, 1)}
            </span>
            <p className="who">
              <span className="visually-hidden">Signed in as </span>
              <span className="who__name">{account.displayName || account.username}</span>
              <span className="who__role">
                {account.displayName && account.displayName !== account.username ? `${account.username} · ` : ''}
                {ROLE_LABELS[account.role]}
              </span>
            </p>
            <Button variant="quiet" size="small" busy={lock.busy} onClick={() => void lock.run()}>
              Lock
            </Button>
            <Button size="small" busy={signOut.busy} onClick={() => void signOut.run()}>
              Sign out
            </Button>
          </div>
        </div>
      </header>
      <main className="page" id="main" tabIndex={-1}>
        <ErrorAlert error={signOut.error ?? lock.error} />
        <ClockNotice />
        {notices.length > 0 && (
          <div className="notice-bar">
            {notices.map((notice) => (
              <Callout key={notice} kind={INFO_NOTICES.has(notice) ? 'info' : 'warning'}>
                <div className="notice">
                  <p>{noticeText(notice, signedIn?.backupCodesLeft ?? null)}</p>
                  <Button size="small" variant="quiet" onClick={() => dismissNotice(notice)}>
                    Dismiss
                  </Button>
                </div>
              </Callout>
            ))}
          </div>
        )}
        <Page key={route} />
      </main>
    </>
  );
}

function NavLink({ route, current, children }: { readonly route: Route; readonly current: boolean; readonly children: string }) {
  return (
    <li>
      <a className="nav-link" href={hrefOf(route)} aria-current={current ? 'page' : undefined}>
        {children}
      </a>
    </li>
  );
}
