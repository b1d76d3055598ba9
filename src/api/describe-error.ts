import { labels } from '../labels';
import { ApiError, NetworkError, TimeoutError, UnexpectedResponseError } from './errors';

export interface ErrorDescription {
  /** What went wrong, in words a Grafana user can act on. */
  title: string;
  /** What to change (names the setting, as grafana-infinity does). */
  hint: string;
  /** True when the fix is on the app's Configuration page. */
  fixOnConfigPage: boolean;
}

export interface DescribeContext {
  /** Whether the app's settings hold a backend URL; undefined when the page cannot tell. */
  apiUrlSet?: boolean;
  /** On the Configuration page the hint points at the fields above instead of at the page. */
  onConfigPage?: boolean;
}

/** Turns any error of the backend client into an actionable message. */
export function describeError(error: unknown, context: DescribeContext = {}): ErrorDescription {
  const { apiUrlSet, onConfigPage = false } = context;
  const e = labels.errors;
  const notConfigured = {
    title: e.notConfigured.title,
    hint: onConfigPage ? e.notConfigured.hintOnConfig : e.notConfigured.hint,
    fixOnConfigPage: true,
  };

  if (error instanceof TimeoutError) {
    return { title: e.timeout.title(Math.round(error.timeoutMs / 1000)), hint: e.timeout.hint, fixOnConfigPage: false };
  }
  if (error instanceof NetworkError) {
    if (apiUrlSet === false) {
      return notConfigured;
    }
    return {
      title: e.unreachable.title,
      hint: onConfigPage ? e.unreachable.hintOnConfig : e.unreachable.hint,
      fixOnConfigPage: true,
    };
  }
  if (error instanceof ApiError) {
    if (error.fromBackend && (error.status === 401 || error.status === 403)) {
      return {
        title: e.unauthorized.title,
        hint: onConfigPage ? e.unauthorized.hintOnConfig : e.unauthorized.hint,
        fixOnConfigPage: true,
      };
    }
    if (!error.fromBackend) {
      // Grafana answered itself: its proxy had no usable route (URL not set or not interpolable) or denied the role.
      if (apiUrlSet === false && (error.status === 404 || error.status >= 500)) {
        return notConfigured;
      }
      if (error.status === 403) {
        return { ...e.forbiddenRoute, fixOnConfigPage: false };
      }
      if (error.status === 404) {
        return { ...e.noRoute, fixOnConfigPage: false };
      }
    }
    return { title: e.api.title(error.status, error.message), hint: e.api.hint, fixOnConfigPage: false };
  }
  if (error instanceof UnexpectedResponseError) {
    return { title: e.unknown.title, hint: error.message, fixOnConfigPage: false };
  }
  return { ...e.unknown, fixOnConfigPage: false };
}
