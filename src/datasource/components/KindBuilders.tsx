import React from 'react';
import { Combobox, InlineField, InlineFieldRow, RadioButtonGroup } from '@grafana/ui';
import {
  ADOPTION_GRANULARITIES,
  COHORT_PERIODS,
  COUNT_METRICS,
  DEFAULTS,
  GRANULARITIES,
  LIMITS,
  SEARCH_ANALYTICS_PARTS,
  SEARCH_ANALYTICS_SHOWS,
} from '../constants';
import type { CaasDataSource } from '../datasource';
import { labels } from '../labels';
import { dsTestIds } from '../testIds';
import type { AnalyticsBuilder, CaasQuery, CaasQueryOf, Filter, Granularity } from '../types';
import { clampInt, CommitInput } from './CommitInput';
import { EventPicker, EventTypesPicker } from './EventTypesPicker';
import { FieldPicker } from './FieldPicker';
import { FiltersEditor } from './FiltersEditor';
import { FunnelStepsEditor } from './FunnelStepsEditor';
import { GroupByPicker } from './GroupByPicker';
import { MetricPicker } from './MetricPicker';
import { RetentionEditor } from './RetentionEditor';

const ids = dsTestIds.editor;
const e = labels.editor;
const LABEL_WIDTH = 14;

type AnalyticsKind = AnalyticsBuilder['kind'];

export interface BuilderProps<K extends AnalyticsKind> {
  datasource: CaasDataSource;
  query: CaasQueryOf<K>;
  /** `run: false` for edits that leave the query incomplete (a new empty row or step). */
  onChange: (query: CaasQuery, run?: boolean) => void;
}

/** The builder of the query's kind: one component per kind, built from the pickers in this folder. */
export function KindBuilder({
  datasource,
  query,
  onChange,
}: {
  datasource: CaasDataSource;
  query: CaasQuery;
  onChange: BuilderProps<AnalyticsKind>['onChange'];
}) {
  const props = { datasource, onChange };
  switch (query.kind) {
    case 'timeseries':
      return <TimeseriesBuilder {...props} query={query} />;
    case 'active_users':
      return <ScopeOnlyBuilder {...props} query={query} />;
    case 'retention':
      return <RetentionBuilder {...props} query={query} />;
    case 'funnel':
      return <FunnelBuilder {...props} query={query} />;
    case 'cohorts':
      return <CohortsBuilder {...props} query={query} />;
    case 'top_n':
      return <TopNBuilder {...props} query={query} />;
    case 'heatmap':
      return <HeatmapBuilder {...props} query={query} />;
    case 'geo':
      return <GeoBuilder {...props} query={query} />;
    case 'adoption':
      return <AdoptionBuilder {...props} query={query} />;
    case 'search_analytics':
      return <SearchAnalyticsBuilder {...props} query={query} />;
    default:
      return null;
  }
}

type Scoped = { event_types?: string[]; filters?: Filter[]; tenant?: string };

/** Event types and filters: which events a query reads (every kind has them, contract `base`). */
function ScopeRows<Q extends CaasQuery & Scoped>({
  datasource,
  query,
  onChange,
  eventTypes = true,
  filtersTooltip,
}: {
  datasource: CaasDataSource;
  query: Q;
  onChange: (query: CaasQuery, run?: boolean) => void;
  eventTypes?: boolean;
  filtersTooltip?: string;
}) {
  return (
    <>
      {eventTypes && (
        <InlineFieldRow>
          <InlineField label={e.eventTypes.label} labelWidth={LABEL_WIDTH}>
            <EventTypesPicker
              datasource={datasource}
              tenant={query.tenant}
              testId={ids.eventTypes}
              value={query.event_types}
              onChange={(event_types) => onChange(withList(query, 'event_types', event_types))}
            />
          </InlineField>
        </InlineFieldRow>
      )}
      <InlineFieldRow>
        <InlineField label={e.filters.label} labelWidth={LABEL_WIDTH} tooltip={filtersTooltip}>
          <FiltersEditor
            datasource={datasource}
            tenant={query.tenant}
            testIds={ids.filters}
            filters={query.filters}
            onChange={(filters, run) => onChange(withList(query, 'filters', filters), run)}
          />
        </InlineField>
      </InlineFieldRow>
    </>
  );
}

/** Sets an optional list, dropping it when empty so saved queries stay small. */
function withList<Q extends object, K extends string>(query: Q, key: K, list: unknown[]): Q {
  const next = { ...query } as Record<string, unknown>;
  if (list.length) {
    next[key] = list;
  } else {
    delete next[key];
  }
  return next as Q;
}

/** Sets an optional field, dropping it when undefined (the backend's default then applies). */
function withOptional<Q extends object, K extends string>(query: Q, key: K, value: unknown): Q {
  const next = { ...query } as Record<string, unknown>;
  if (value === undefined) {
    delete next[key];
  } else {
    next[key] = value;
  }
  return next as Q;
}

/** A granularity, or `auto` (saved as none: the backend chooses). */
function GranularityPicker({
  testId,
  autoLabel,
  value,
  onChange,
}: {
  testId: string;
  autoLabel: string;
  value: Granularity | undefined;
  onChange: (granularity: Granularity | undefined) => void;
}) {
  return (
    <Combobox<string>
      data-testid={testId}
      width={30}
      options={[
        { value: 'auto', label: autoLabel },
        ...GRANULARITIES.map((g) => ({ value: g, label: labels.granularities[g] })),
      ]}
      value={value ?? 'auto'}
      onChange={(picked) => onChange(picked.value === 'auto' ? undefined : (picked.value as Granularity))}
    />
  );
}

function TimeseriesBuilder({ datasource, query, onChange }: BuilderProps<'timeseries'>) {
  return (
    <>
      <InlineFieldRow>
        <MetricPicker
          value={query.metric}
          testIds={{ metric: ids.metric, property: ids.metricProperty }}
          onChange={(metric) => onChange({ ...query, metric })}
        />
      </InlineFieldRow>
      <ScopeRows datasource={datasource} query={query} onChange={onChange} />
      <InlineFieldRow>
        <InlineField label={e.groupBy.label} labelWidth={LABEL_WIDTH} tooltip={e.groupBy.max}>
          <GroupByPicker
            datasource={datasource}
            tenant={query.tenant}
            testId={ids.groupBy}
            value={query.group_by}
            onChange={(group_by) => onChange(withList(query, 'group_by', group_by))}
          />
        </InlineField>
        <InlineField label={e.granularity.label}>
          <GranularityPicker
            testId={ids.granularity}
            autoLabel={e.granularity.auto}
            value={query.granularity}
            onChange={(granularity) => onChange(withOptional(query, 'granularity', granularity))}
          />
        </InlineField>
      </InlineFieldRow>
    </>
  );
}

/** Active users: only which events count as activity. */
function ScopeOnlyBuilder({ datasource, query, onChange }: BuilderProps<'active_users'>) {
  return <ScopeRows datasource={datasource} query={query} onChange={onChange} />;
}

function RetentionBuilder({ datasource, query, onChange }: BuilderProps<'retention'>) {
  return (
    <>
      <RetentionEditor datasource={datasource} query={query} onChange={onChange} />
      <ScopeRows datasource={datasource} query={query} onChange={onChange} eventTypes={false} />
    </>
  );
}

function FunnelBuilder({ datasource, query, onChange }: BuilderProps<'funnel'>) {
  return (
    <>
      <InlineFieldRow>
        <InlineField label={e.funnel.steps} labelWidth={LABEL_WIDTH}>
          <FunnelStepsEditor datasource={datasource} query={query} onChange={onChange} />
        </InlineField>
      </InlineFieldRow>
      <ScopeRows datasource={datasource} query={query} onChange={onChange} eventTypes={false} />
    </>
  );
}

function CohortsBuilder({ datasource, query, onChange }: BuilderProps<'cohorts'>) {
  return (
    <>
      <InlineFieldRow>
        <InlineField label={e.cohorts.period} labelWidth={LABEL_WIDTH}>
          <div data-testid={ids.cohorts.period}>
            <RadioButtonGroup
              options={COHORT_PERIODS.map((p) => ({ value: p, label: p }))}
              value={query.period}
              onChange={(period) => onChange({ ...query, period })}
            />
          </div>
        </InlineField>
      </InlineFieldRow>
      <ScopeRows datasource={datasource} query={query} onChange={onChange} />
    </>
  );
}

const countOptions = COUNT_METRICS.map((m) => ({ value: m, label: labels.metrics[m] }));

function TopNBuilder({ datasource, query, onChange }: BuilderProps<'top_n'>) {
  return (
    <>
      <InlineFieldRow>
        <InlineField label={e.topN.field} labelWidth={LABEL_WIDTH}>
          <FieldPicker
            datasource={datasource}
            tenant={query.tenant}
            testId={ids.topN.field}
            value={query.field}
            onChange={(field) => onChange({ ...query, field })}
          />
        </InlineField>
        <InlineField label={e.topN.metric}>
          <Combobox
            data-testid={ids.topN.metric}
            width={20}
            options={countOptions}
            value={query.metric ?? 'events'}
            onChange={(picked) => onChange({ ...query, metric: picked.value })}
          />
        </InlineField>
        <InlineField label={e.topN.limit}>
          <CommitInput
            testId={ids.topN.limit}
            type="number"
            min={LIMITS.topN.min}
            max={LIMITS.topN.max}
            width={10}
            value={String(query.limit ?? 10)}
            onCommit={(text) =>
              onChange({ ...query, limit: clampInt(text, LIMITS.topN.min, LIMITS.topN.max, query.limit ?? 10) })
            }
          />
        </InlineField>
      </InlineFieldRow>
      <ScopeRows datasource={datasource} query={query} onChange={onChange} />
    </>
  );
}

function HeatmapBuilder({ datasource, query, onChange }: BuilderProps<'heatmap'>) {
  return (
    <>
      <InlineFieldRow>
        <InlineField label={e.topN.metric} labelWidth={LABEL_WIDTH}>
          <Combobox
            data-testid={ids.heatmap.metric}
            width={20}
            options={countOptions}
            value={query.metric ?? 'events'}
            onChange={(picked) => onChange({ ...query, metric: picked.value })}
          />
        </InlineField>
        <InlineField label={e.heatmap.timezone}>
          <CommitInput
            testId={ids.heatmap.timezone}
            width={24}
            value={query.timezone ?? ''}
            placeholder={e.heatmap.timezonePlaceholder}
            onCommit={(text) => {
              const next = { ...query };
              if (text.trim()) {
                next.timezone = text.trim();
              } else {
                delete next.timezone;
              }
              onChange(next);
            }}
          />
        </InlineField>
      </InlineFieldRow>
      <ScopeRows datasource={datasource} query={query} onChange={onChange} />
    </>
  );
}

function GeoBuilder({ datasource, query, onChange }: BuilderProps<'geo'>) {
  return (
    <>
      <InlineFieldRow>
        <InlineField label={e.topN.metric} labelWidth={LABEL_WIDTH}>
          <Combobox
            data-testid={ids.geo.metric}
            width={20}
            options={countOptions}
            value={query.metric ?? 'events'}
            onChange={(picked) => onChange({ ...query, metric: picked.value })}
          />
        </InlineField>
      </InlineFieldRow>
      <ScopeRows datasource={datasource} query={query} onChange={onChange} />
    </>
  );
}

function AdoptionBuilder({ datasource, query, onChange }: BuilderProps<'adoption'>) {
  return (
    <>
      <InlineFieldRow>
        <InlineField label={e.adoption.feature} labelWidth={LABEL_WIDTH} invalid={!query.feature_event}>
          <EventPicker
            datasource={datasource}
            tenant={query.tenant}
            testId={ids.adoption.feature}
            value={query.feature_event}
            onChange={(feature_event) => onChange({ ...query, feature_event })}
          />
        </InlineField>
        <InlineField label={e.adoption.granularity}>
          <div data-testid={ids.adoption.granularity}>
            <RadioButtonGroup
              options={ADOPTION_GRANULARITIES.map((g) => ({ value: g, label: g }))}
              value={query.granularity ?? 'week'}
              onChange={(granularity) => onChange({ ...query, granularity })}
            />
          </div>
        </InlineField>
      </InlineFieldRow>
      <ScopeRows datasource={datasource} query={query} onChange={onChange} eventTypes={false} />
    </>
  );
}

const showOptions = SEARCH_ANALYTICS_SHOWS.map((show) => ({ value: show, label: labels.searchShows[show] }));

/**
 * Search analytics: which part to show (a table of queries or latency/volume over time), the table's rows or the
 * series' granularity, and filters on the search_query events (no event types: the kind reads those events only).
 */
function SearchAnalyticsBuilder({ datasource, query, onChange }: BuilderProps<'search_analytics'>) {
  const s = e.searchAnalytics;
  const limit = query.limit ?? DEFAULTS.searchAnalyticsLimit;
  const { min, max } = LIMITS.searchAnalytics;
  return (
    <>
      <InlineFieldRow>
        <InlineField label={s.show} labelWidth={LABEL_WIDTH} tooltip={s.showTooltip}>
          <div data-testid={ids.searchAnalytics.show}>
            <RadioButtonGroup
              options={showOptions}
              value={query.show}
              onChange={(show) => onChange({ ...query, show })}
            />
          </div>
        </InlineField>
        {SEARCH_ANALYTICS_PARTS[query.show]?.time ? (
          <InlineField label={s.granularity}>
            <GranularityPicker
              testId={ids.searchAnalytics.granularity}
              autoLabel={s.auto}
              value={query.granularity}
              onChange={(granularity) => onChange(withOptional(query, 'granularity', granularity))}
            />
          </InlineField>
        ) : (
          <InlineField label={s.limit} tooltip={s.limitTooltip}>
            <CommitInput
              testId={ids.searchAnalytics.limit}
              type="number"
              min={min}
              max={max}
              width={10}
              value={String(limit)}
              onCommit={(text) => onChange({ ...query, limit: clampInt(text, min, max, limit) })}
            />
          </InlineField>
        )}
      </InlineFieldRow>
      <ScopeRows
        datasource={datasource}
        query={query}
        onChange={onChange}
        eventTypes={false}
        filtersTooltip={s.filtersTooltip}
      />
    </>
  );
}
