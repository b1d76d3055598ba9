import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { IconName } from '@grafana/data';
import { PLUGIN_BASE_URL } from './constants';
import { labels } from './labels';

/**
 * The app's pages, in one table (issue "Platform", part 6): the router (components/App) and Grafana's nav (plugin.json
 * `includes`, see pageIncludes() and routes.test.ts, which fails when the two disagree) both come from here, so a page
 * cannot exist in one and not the other. The Home page's feature cards link to the page that fulfils them.
 */
export enum ROUTES {
  Home = 'home',
  Analytics = 'analytics',
  Search = 'search',
  Crawler = 'crawler',
  Incidents = 'incidents',
  Alerts = 'alerts',
  OnCall = 'oncall',
}

/** The features the Home page presents (labels.home.features); a page names the one it fulfils. */
export type FeatureId = 'analytics' | 'search' | 'sla' | 'alerts' | 'reports';

export interface AppPage {
  route: ROUTES;
  /** The nav entry's title: plugin.json include `name`. */
  title: string;
  icon: IconName;
  /** Lazy-loaded (create-plugin templates): a page's code is fetched when it is first opened. */
  component: LazyExoticComponent<ComponentType>;
  /** The page Grafana opens for the app (plugin.json `defaultNav`); unknown paths land there too. */
  defaultNav?: boolean;
  /** The Home feature card this page fulfils: the card becomes a link to it. */
  feature?: FeatureId;
}

export const APP_PAGES: readonly AppPage[] = [
  {
    route: ROUTES.Home,
    title: labels.nav.home,
    icon: 'home-alt',
    component: lazy(() => import('./pages/Home/Home')),
    defaultNav: true,
  },
  {
    route: ROUTES.Analytics,
    title: labels.nav.analytics,
    icon: 'chart-line',
    component: lazy(() => import('./pages/Analytics/Analytics')),
    feature: 'analytics',
  },
  {
    route: ROUTES.Search,
    title: labels.nav.search,
    icon: 'search',
    component: lazy(() => import('./pages/Search/Search')),
    feature: 'search',
  },
  {
    route: ROUTES.Crawler,
    title: labels.nav.crawler,
    icon: 'sync',
    component: lazy(() => import('./pages/Crawler/Crawler')),
  },
  {
    route: ROUTES.Incidents,
    title: labels.nav.incidents,
    icon: 'fire',
    component: lazy(() => import('./pages/Incidents/Incidents')),
  },
  {
    route: ROUTES.Alerts,
    title: labels.nav.alerts,
    icon: 'bell',
    component: lazy(() => import('./pages/Alerts/Alerts')),
    feature: 'alerts',
  },
  {
    route: ROUTES.OnCall,
    title: labels.nav.oncall,
    icon: 'calendar-alt',
    component: lazy(() => import('./pages/OnCall/OnCall')),
  },
];

/** Grafana's own page for the app's settings (module.tsx addConfigPage), in the nav for Admins only. */
export const CONFIG_PAGE = {
  id: 'configuration',
  title: labels.nav.configuration,
  icon: 'cog' as IconName,
  path: '/plugins/%PLUGIN_ID%',
};

/** A plugin.json `includes` entry of type page. */
export interface PageInclude {
  type: 'page';
  name: string;
  path: string;
  icon: string;
  addToNav: boolean;
  defaultNav?: boolean;
  role?: 'Admin' | 'Editor' | 'Viewer';
}

/** The page includes plugin.json must carry, in order: one per app page, then the Configuration page. */
export function pageIncludes(): PageInclude[] {
  return [
    ...APP_PAGES.map((page): PageInclude => ({
      type: 'page',
      name: page.title,
      path: `/a/%PLUGIN_ID%/${page.route}`,
      icon: page.icon,
      addToNav: true,
      ...(page.defaultNav ? { defaultNav: true } : {}),
    })),
    {
      type: 'page',
      name: CONFIG_PAGE.title,
      path: CONFIG_PAGE.path,
      icon: CONFIG_PAGE.icon,
      role: 'Admin',
      addToNav: true,
    },
  ];
}

/** The page Grafana opens for the app, and for a path no page has. */
export const DEFAULT_PAGE: AppPage = APP_PAGES.find((p) => p.defaultNav) ?? APP_PAGES[0]!;

/** The page that fulfils a Home feature card, if it exists yet. */
export function pageForFeature(feature: string): AppPage | undefined {
  return APP_PAGES.find((p) => p.feature === feature);
}

/** Prefixes the route with the base URL of the plugin (create-plugin's prefixRoute). */
export function prefixRoute(route: string): string {
  return `${PLUGIN_BASE_URL}/${route}`;
}
