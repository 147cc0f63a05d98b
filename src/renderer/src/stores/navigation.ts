import { create } from 'zustand';

/**
 * Where a signed-in person is in the app, kept in the URL's hash (`#/settings`) so that links are
 * real links, and Back and reload behave.
 */
export const ROUTES = [
  'dashboard',
  'mfa-setup',
  'settings',
  'admin/accounts',
  'admin/policy',
  'admin/delivery',
  'admin/security',
  'admin/audit',
] as const;
export type Route = (typeof ROUTES)[number];

export const DEFAULT_ROUTE: Route = 'dashboard';

export function hrefOf(route: Route): string {
  return `#/${route}`;
}

export function isAdminRoute(route: Route): boolean {
  return route.startsWith('admin/');
}

function routeFromHash(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  if (path === 'admin') return 'admin/accounts';
  return (ROUTES as readonly string[]).includes(path) ? (path as Route) : DEFAULT_ROUTE;
}

interface NavigationState {
  readonly route: Route;
  /**
   * Set while leaving the screen would lose what it shows only once (fresh backup codes): any move
   * away asks first, with these words.
   */
  readonly leaveWarning: string | null;
  navigate: (route: Route) => void;
  warnOnLeave: (warning: string | null) => void;
}

/** Whether the person agrees to leave, when the screen asked to be left only on purpose. */
function mayLeave(warning: string | null): boolean {
  return warning === null || window.confirm(warning);
}

export const useNavigation = create<NavigationState>()((set, get) => ({
  route: routeFromHash(window.location.hash),
  leaveWarning: null,
  navigate(route) {
    if (route !== get().route && !mayLeave(get().leaveWarning)) return;
    set({ route, leaveWarning: route === get().route ? get().leaveWarning : null });
    if (window.location.hash !== hrefOf(route)) window.location.hash = hrefOf(route);
  },
  warnOnLeave(warning) {
    set({ leaveWarning: warning });
  },
}));

// A link, Back or a typed address moves the hash first: asked afterwards, a refusal puts it back.
window.addEventListener('hashchange', () => {
  const next = routeFromHash(window.location.hash);
  const { route, leaveWarning } = useNavigation.getState();
  if (next === route) return;
  if (!mayLeave(leaveWarning)) {
    window.location.hash = hrefOf(route);
    return;
  }
  useNavigation.setState({ route: next, leaveWarning: null });
});
