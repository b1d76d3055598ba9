import React, { Suspense, lazy } from 'react';
import { AppPlugin, type AppRootProps } from '@grafana/data';
import { LoadingPlaceholder } from '@grafana/ui';
import type { SettingsProps } from './pages/Settings/Settings';
import { CONFIG_PAGE } from './routes';
import type { AppJsonData } from './types';

// The router (components/App) is built from the route table in routes.ts, as are plugin.json's page includes.
const LazyApp = lazy(() => import('./components/App/App'));
const LazySettings = lazy(() => import('./pages/Settings/Settings'));

const App = (props: AppRootProps<AppJsonData>) => (
  <Suspense fallback={<LoadingPlaceholder text="" />}>
    <LazyApp {...props} />
  </Suspense>
);

const Settings = (props: SettingsProps) => (
  <Suspense fallback={<LoadingPlaceholder text="" />}>
    <LazySettings {...props} />
  </Suspense>
);

export const plugin = new AppPlugin<AppJsonData>().setRootPage(App).addConfigPage({
  title: CONFIG_PAGE.title,
  icon: CONFIG_PAGE.icon,
  body: Settings,
  id: CONFIG_PAGE.id,
});
