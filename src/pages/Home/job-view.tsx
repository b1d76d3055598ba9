import React from 'react';
import type { IconName } from '@grafana/data';
import { Badge, type BadgeColor } from '@grafana/ui';
import type { Job, JobState } from '../../api/jobs';
import { labels } from '../../labels';
import { formatCount } from '../../utils/format';

/** How a job reads in the Jobs list and in its detail: its kind in words, its state as a badge, its progress. */

const STATE_BADGE: Record<JobState, { color: BadgeColor; icon: IconName }> = {
  queued: { color: 'purple', icon: 'clock-nine' },
  running: { color: 'blue', icon: 'sync' },
  succeeded: { color: 'green', icon: 'check' },
  failed: { color: 'red', icon: 'exclamation-triangle' },
  cancelled: { color: 'darkgrey', icon: 'ban' },
};

export function JobStateBadge({ state }: { state: JobState }) {
  const badge = STATE_BADGE[state] ?? STATE_BADGE.queued;
  return <Badge color={badge.color} icon={badge.icon} text={labels.jobs.states[state] ?? state} />;
}

export function jobKindName(kind: string): string {
  return labels.jobs.kinds[kind] ?? kind;
}

export function jobProgress(job: Job): string {
  const { done, total, message } = job.progress;
  return labels.jobs.progress(formatCount(done), total === null ? null : formatCount(total), message);
}
