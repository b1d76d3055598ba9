import React, { Suspense } from 'react';
import { Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { LoadingPlaceholder } from '@grafana/ui';
import { ROUTES } from '../../constants';
import { labels } from '../../labels';

const Home = React.lazy(() => import('../../pages/Home/Home'));

/** The app's router: one route per page (ROUTES), pages lazy-loaded; unknown paths land on Home. */
function App(_props: AppRootProps) {
  return (
    <Suspense fallback={<LoadingPlaceholder text={labels.app.loading} />}>
      <Routes>
        <Route path={ROUTES.Home} element={<Home />} />
        <Route path="*" element={<Home />} />
      </Routes>
    </Suspense>
  );
}

export default App;
