import React, { useEffect, useMemo } from 'react';
import { Button, LinkButton, Text } from '@grafana/ui';
import { describeError } from '../../api/describe-error';
import { ApiError } from '../../api/errors';
import { listSchedules, type ScheduleInfo } from '../../api/jobs';
import { CONFIG_PAGE_URL } from '../../constants';
import { type RequestState, useRequest } from '../../hooks/useRequest';
import { labels } from '../../labels';

/**
 * The backend's cron schedules (GET /v1/schedules), read once for Home: Jobs shows the soonest firing, Storage the
 * nightly report's. Both sections' Refresh buttons ask again, and so does a timer once the soonest firing is due (its
 * next one is then another time).
 */

export type Schedules = RequestState<ScheduleInfo[]>;

/** After the soonest firing is due, ask again this much later (the firing is claimed by the backend's tick). */
export const FIRED_GRACE_MS = 5_000;
/** A firing already due when listed (backend down at its time, or a stopped tick) is asked about again this often. */
export const OVERDUE_RETRY_MS = 60_000;
/** Longest wait before asking again (and below setTimeout's 2^31 ms limit). */
export const MAX_WAIT_MS = 6 * 3600_000;

/** The next firing of a schedule as a time, or undefined when it has none (disabled, or not computable). */
export function nextFireMs(schedule: ScheduleInfo): number | undefined {
  if (!schedule.enabled || schedule.next_fire_at === null) {
    return undefined;
  }
  const at = Date.parse(schedule.next_fire_at);
  return Number.isNaN(at) ? undefined : at;
}

/** The enabled schedule (among those `include` keeps) that fires first, or undefined when none has a next firing. */
export function soonestFiring(
  schedules: ScheduleInfo[],
  include: (s: ScheduleInfo) => boolean = () => true
): ScheduleInfo | undefined {
  let best: { schedule: ScheduleInfo; at: number } | undefined;
  for (const schedule of schedules) {
    const at = nextFireMs(schedule);
    if (at !== undefined && include(schedule) && (best === undefined || at < best.at)) {
      best = { schedule, at };
    }
  }
  return best?.schedule;
}

export function useSchedules(): Schedules {
  const state = useRequest('schedules', (signal) => listSchedules({ signal }));
  const { data, loading, retry } = state;
  const soonest = useMemo(() => (data ? soonestFiring(data) : undefined), [data]);
  const due = soonest ? nextFireMs(soonest) : undefined;
  useEffect(() => {
    if (due === undefined || loading) {
      return;
    }
    const left = due - Date.now();
    const wait = left > 0 ? Math.min(left + FIRED_GRACE_MS, MAX_WAIT_MS) : OVERDUE_RETRY_MS;
    const timer = setTimeout(retry, wait);
    return () => clearTimeout(timer);
  }, [due, loading, retry]);
  return state;
}

interface PendingProps {
  schedules: Schedules;
  apiUrlSet?: boolean;
  /** The section shows its own error alert (whose Retry asks for the schedules too): refer to it, not repeat it. */
  sectionFailed?: boolean;
}

/** What stands instead of a time while the schedules load or when they cannot be read: what to do, and Retry. */
export function SchedulesPending({ schedules, apiUrlSet, sectionFailed }: PendingProps) {
  const { loading, error, retry } = schedules;
  if (error === undefined || loading) {
    return <Text color="secondary">{labels.schedules.loading}</Text>;
  }
  // A backend older than the app answers its own 404 for a route it lacks.
  const tooOld = error instanceof ApiError && error.fromBackend && error.status === 404;
  const description = tooOld
    ? { title: labels.schedules.tooOld.title, hint: labels.schedules.tooOld.hint, fixOnConfigPage: false }
    : describeError(error, { apiUrlSet });
  if (sectionFailed) {
    return (
      <>
        <Text color="error">{labels.schedules.failed(description.title)}</Text>{' '}
        <Text color="secondary">{labels.schedules.seeBelow}</Text>
      </>
    );
  }
  return (
    <>
      <Text color="error">{labels.schedules.failed(description.title)}</Text> <Text>{description.hint}</Text>{' '}
      <Button variant="secondary" size="sm" fill="text" icon="sync" onClick={retry}>
        {labels.common.retry}
      </Button>
      {description.fixOnConfigPage && (
        <LinkButton href={CONFIG_PAGE_URL} icon="cog" variant="secondary" size="sm" fill="text">
          {labels.health.openConfig}
        </LinkButton>
      )}
    </>
  );
}
