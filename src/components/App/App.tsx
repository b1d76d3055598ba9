import React, { Suspense } from 'react';
import { Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { LoadingPlaceholder } from '@grafana/ui';
import { ROUTES } from '../../constants';
import { labels } from '../../labels';

const Home = React.lazy(() => import('../../pages/Home/Home'));
const Analytics = React.lazy(() => import('../../pages/Analytics/Analytics'));

/** The app's router: one route per page (ROUTES), pages lazy-loaded; unknown paths land on Home. */
function App(_props: AppRootProps) {
  return (
    <Suspense fallback={<LoadingPlaceholder text={labels.app.loading} />}>
      <Routes>
        <Route path={ROUTES.Home} element={<Home />} />
        <Route path={ROUTES.Analytics} element={<Analytics />} />
        <Route path="*" element={<Home />} />
      </Routes>
    </Suspense>
  );
}

export default App;
