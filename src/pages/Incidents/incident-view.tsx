import React from 'react';
import type { IconName } from '@grafana/data';
import { Badge, type BadgeColor } from '@grafana/ui';
import type { Incident, IncidentState } from '../../api/incidents';
import { labels } from '../../labels';
import { formatAgo } from '../../utils/format';

const STATE_BADGE: Record<IncidentState, { color: BadgeColor; icon: IconName }> = {
  triggered: { color: 'red', icon: 'fire' },
  acknowledged: { color: 'orange', icon: 'eye' },
  resolved: { color: 'green', icon: 'check' },
};

export function IncidentStateBadge({ state }: { state: IncidentState }) {
  const b = STATE_BADGE[state] ?? STATE_BADGE.triggered;
  return <Badge color={b.color} icon={b.icon} text={labels.incidents.states[state] ?? state} />;
}

const SEVERITY_COLOR: Record<string, BadgeColor> = { critical: 'red', error: 'red', warning: 'orange', info: 'blue' };

export function SeverityBadge({ severity }: { severity: string }) {
  return <Badge color={SEVERITY_COLOR[severity] ?? 'darkgrey'} text={severity} />;
}

/** Who did it, in words. */
export function actorName(actor: Incident['acknowledged_by']): string {
  if (!actor) {
    return '';
  }
  const a = labels.incidents.actor;
  return actor.type === 'key' ? a.key(actor.name, actor.id) : a[actor.type];
}

/** The escalation's next page (step and when), or why there is none. */
export function nextPage(incident: Incident): string {
  const e = incident.escalation;
  const l = labels.incidents.escalation;
  if (e.state === 'running' && e.next) {
    return l.next(e.next.step, formatAgo(e.next.at));
  }
  return e.state === 'none' ? l.none : e.state === 'finished' ? l.finished : l.stopped;
}
