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
  navigate: (route: Route) => void;
}

export const useNavigation = create<NavigationState>()((set) => ({
  route: routeFromHash(window.location.hash),
  navigate(route) {
    if (window.location.hash !== hrefOf(route)) window.location.hash = hrefOf(route);
    set({ route });
  },
}));

window.addEventListener('hashchange', () => useNavigation.setState({ route: routeFromHash(window.location.hash) }));
