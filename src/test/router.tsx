import React, { type ReactElement, useLayoutEffect } from 'react';
import {
  type Location,
  MemoryRouter,
  type NavigateFunction,
  type NavigationType,
  useLocation,
  useNavigate,
  useNavigationType,
} from 'react-router-dom';
import { act, render } from '@testing-library/react';

interface Seen {
  location?: Location;
  action?: NavigationType;
  navigate?: NavigateFunction;
}

function Probe({ report }: { report: (seen: Seen) => void }) {
  const location = useLocation();
  const action = useNavigationType();
  const navigate = useNavigate();
  useLayoutEffect(() => {
    report({ location, action, navigate });
  });
  return null;
}

/**
 * Renders a page at a URL inside a memory router, as Grafana's router holds an app page. `search()` is the URL's
 * search params now, `href()` the URL a person would copy, `action()` whether the last change pushed a history entry
 * or replaced it, and `back()` is the browser's Back.
 */
export function renderAt(ui: ReactElement, url: string) {
  let seen: Seen = {};
  const result = render(
    <MemoryRouter initialEntries={[url]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
      {ui}
      <Probe
        report={(now) => {
          seen = now;
        }}
      />
    </MemoryRouter>
  );
  return {
    ...result,
    search: () => new URLSearchParams(seen.location?.search ?? ''),
    href: () => `${seen.location?.pathname ?? ''}${seen.location?.search ?? ''}`,
    action: () => seen.action,
    back: () =>
      act(async () => {
        seen.navigate?.(-1);
      }),
  };
}
