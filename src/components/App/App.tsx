import React, { Suspense } from 'react';
import { Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { LoadingPlaceholder } from '@grafana/ui';
import { labels } from '../../labels';
import { APP_PAGES, DEFAULT_PAGE } from '../../routes';

/**
 * The app's router, built from the route table (src/routes.ts), which also yields plugin.json's nav: one route per
 * page, pages lazy-loaded; unknown paths land on the default page (Home).
 */
function App(_props: AppRootProps) {
  const Default = DEFAULT_PAGE.component;
  return (
    <Suspense fallback={<LoadingPlaceholder text={labels.app.loading} />}>
      <Routes>
        {APP_PAGES.map(({ route, component: Page }) => (
          <Route key={route} path={route} element={<Page />} />
        ))}
        <Route path="*" element={<Default />} />
      </Routes>
    </Suspense>
  );
}

export default App;
