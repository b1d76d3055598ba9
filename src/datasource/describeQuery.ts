import { DEFAULTS } from './constants';
import { labels } from './labels';
import type { CaasQuery, Filter, Metric } from './types';

const d = labels.describe;

/**
 * The query in words: the editor's "what will be asked" line, and Grafana's query display text. It reads the query
 * as saved (variables unreplaced), so the user sees `$tenant` where they typed it.
 */
export function describeQuery(query: CaasQuery, defaultTenant?: string): string {
  const tenant = query.tenant
    ? d.forTenant(query.tenant)
    : defaultTenant
      ? d.forTenant(defaultTenant)
      : d.defaultTenant;
  return `${describeBody(query)}${tenant}`;
}

function describeBody(query: CaasQuery): string {
  switch (query.kind) {
    case 'timeseries': {
      const groups = query.group_by?.length ? d.splitBy(query.group_by.join(d.and)) : '';
      const per = query.granularity ? d.per(query.granularity) : d.perAuto;
      return `${d.timeseries(metricText(query.metric), scope(query))}${per}${groups}`;
    }
    case 'active_users':
      return d.activeUsers(scope(query));
    case 'retention':
      return `${d.retention(
        named(query.cohort_event, labels.editor.retention.cohortEvent),
        named(query.return_event, labels.editor.retention.returnEvent),
        query.period,
        query.periods
      )}${where(query.filters)}`;
    case 'funnel': {
      const steps = query.steps
        .map((s, i) => `${named(s.event_type, labels.editor.funnel.step(i + 1))}${where(s.filters)}`)
        .join(' → ');
      const breakdown = query.breakdown ? d.breakdown(query.breakdown) : '';
      return `${d.funnel(steps, duration(query.window_seconds))}${where(query.filters)}${breakdown}`;
    }
    case 'cohorts':
      return d.cohorts(query.period, scope(query));
    case 'top_n':
      return d.topN(
        query.limit ?? 10,
        named(query.field, labels.editor.topN.field),
        d.countMetric[query.metric ?? 'events'],
        scope(query)
      );
    case 'heatmap':
      return d.heatmap(countMetricTitle(query.metric), query.timezone || 'UTC', scope(query));
    case 'geo':
      return d.geo(countMetricTitle(query.metric), scope(query));
    case 'adoption':
      return `${d.adoption(named(query.feature_event, labels.editor.adoption.feature), query.granularity ?? 'week')}${where(query.filters)}`;
    case 'search_analytics': {
      const searches = `${d.searches}${where(query.filters)}`;
      const limit = query.limit ?? DEFAULTS.searchAnalyticsLimit;
      const per = query.granularity ? d.per(query.granularity) : d.perRange;
      switch (query.show) {
        case 'popular':
        case 'zero_results':
          return d.searchAnalytics[query.show](limit, searches);
        case 'latency':
        case 'volume':
          return `${d.searchAnalytics[query.show](searches)}${per}`;
        default:
          return d.missing(labels.editor.searchAnalytics.show.toLowerCase());
      }
    }
    case 'annotations':
      return d.annotations(
        query.event_types.length
          ? query.event_types.join(', ')
          : d.missing(labels.editor.annotations.eventTypes.toLowerCase()),
        d.annotationText(query.text_property)
      );
  }
}

function scope(query: { event_types?: string[]; filters?: Filter[] }): string {
  const events = query.event_types?.length ? d.eventsOfType(query.event_types.join(', ')) : d.allEvents;
  return `${events}${where(query.filters)}`;
}

function where(filters: Filter[] | undefined): string {
  if (!filters?.length) {
    return '';
  }
  return d.where(filters.map(filterText).join(d.and));
}

export function filterText(filter: Filter): string {
  const value = Array.isArray(filter.value) ? `(${filter.value.join(', ')})` : String(filter.value);
  return `${filter.field || '?'} ${labels.ops[filter.op]} ${value === '' ? '?' : value}`;
}

function metricText(metric: Metric): string {
  switch (metric.type) {
    case 'events':
      return d.metric.events;
    case 'unique_users':
      return d.metric.unique_users;
    default:
      return d.metric[metric.type](metric.property || d.missing(labels.editor.metric.property.toLowerCase()));
  }
}

function countMetricTitle(metric: 'events' | 'unique_users' | undefined): string {
  return metric === 'unique_users' ? d.metric.unique_users : d.metric.events;
}

function named(value: string | undefined, what: string): string {
  return value ? value : d.missing(what.toLowerCase());
}

/** 86400 → "1 day", 5400 → "90 minutes". */
export function duration(seconds: number): string {
  const units: Array<[number, string]> = [
    [7 * 86400, 'week'],
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  for (const [size, name] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} seconds`;
}
