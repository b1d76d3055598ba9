import React from 'react';
import { InlineField, InlineFieldRow, RadioButtonGroup } from '@grafana/ui';
import { LIMITS, RETENTION_PERIODS } from '../constants';
import type { CaasDataSource } from '../datasource';
import { labels } from '../labels';
import { dsTestIds } from '../testIds';
import type { CaasQueryOf } from '../types';
import { clampInt, CommitInput } from './CommitInput';
import { EventPicker } from './EventTypesPicker';

const ids = dsTestIds.editor.retention;
const r = labels.editor.retention;
type RetentionQuery = CaasQueryOf<'retention'>;

interface Props {
  datasource: CaasDataSource;
  query: RetentionQuery;
  onChange: (query: RetentionQuery, run?: boolean) => void;
}

/** First event (the cohort), return event, period (day/week) and how many periods to follow (1–52). */
export function RetentionEditor({ datasource, query, onChange }: Props) {
  return (
    <>
      <InlineFieldRow>
        <InlineField label={r.cohortEvent} labelWidth={14} invalid={!query.cohort_event}>
          <EventPicker
            datasource={datasource}
            tenant={query.tenant}
            testId={ids.cohortEvent}
            value={query.cohort_event}
            onChange={(cohort_event) => onChange({ ...query, cohort_event })}
          />
        </InlineField>
        <InlineField label={r.returnEvent} invalid={!query.return_event}>
          <EventPicker
            datasource={datasource}
            tenant={query.tenant}
            testId={ids.returnEvent}
            value={query.return_event}
            onChange={(return_event) => onChange({ ...query, return_event })}
          />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label={r.period} labelWidth={14}>
          <div data-testid={ids.period}>
            <RadioButtonGroup
              options={RETENTION_PERIODS.map((p) => ({ value: p, label: p }))}
              value={query.period}
              onChange={(period) => onChange({ ...query, period })}
            />
          </div>
        </InlineField>
        <InlineField label={r.periods}>
          <CommitInput
            testId={ids.periods}
            type="number"
            min={LIMITS.retentionPeriods.min}
            max={LIMITS.retentionPeriods.max}
            width={10}
            value={String(query.periods)}
            onCommit={(text) =>
              onChange({
                ...query,
                periods: clampInt(text, LIMITS.retentionPeriods.min, LIMITS.retentionPeriods.max, query.periods),
              })
            }
          />
        </InlineField>
      </InlineFieldRow>
    </>
  );
}
