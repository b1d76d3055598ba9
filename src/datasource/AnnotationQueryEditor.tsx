import React, { useMemo } from 'react';
import type { AnnotationQuery, QueryEditorProps } from '@grafana/data';
import { InlineField, InlineFieldRow, Stack, Text } from '@grafana/ui';
import { clampInt, CommitInput } from './components/CommitInput';
import { EventTypesPicker } from './components/EventTypesPicker';
import { TenantPicker } from './components/TenantPicker';
import { DEFAULTS, LIMITS } from './constants';
import type { CaasDataSource } from './datasource';
import { defaultBuilder } from './defaults';
import { describeQuery } from './describeQuery';
import { labels } from './labels';
import { migrateQuery } from './migrateQuery';
import { dsTestIds } from './testIds';
import type { CaasQuery, CaasQueryOf } from './types';

type Props = QueryEditorProps<CaasDataSource, CaasQuery> & {
  annotation?: AnnotationQuery<CaasQuery>;
  onAnnotationChange?: (annotation: AnnotationQuery<CaasQuery>) => void;
};

const ids = dsTestIds.editor.annotations;
const a = labels.editor.annotations;

/** Dashboard settings → Annotations: events of chosen types (e.g. app_release) drawn on every time series panel. */
export function AnnotationQueryEditor({ query: saved, onChange, datasource }: Props) {
  const query = useMemo<CaasQueryOf<'annotations'>>(() => {
    const migrated = migrateQuery({
      ...defaultBuilder('annotations'),
      ...(saved ?? {}),
      refId: saved?.refId ?? 'Anno',
    });
    return migrated.kind === 'annotations' ? migrated : { ...migrated, ...defaultBuilder('annotations') };
  }, [saved]);

  const change = (patch: Partial<CaasQueryOf<'annotations'>>) => {
    const next = { ...query, ...patch };
    for (const key of Object.keys(patch) as Array<keyof typeof patch>) {
      if (patch[key] === undefined) {
        delete next[key];
      }
    }
    onChange(next);
  };

  return (
    <Stack direction="column" gap={1} data-testid={ids.container}>
      <InlineFieldRow>
        <InlineField label={a.eventTypes} labelWidth={20} invalid={query.event_types.length === 0}>
          <EventTypesPicker
            datasource={datasource}
            tenant={query.tenant}
            testId={ids.eventTypes}
            value={query.event_types}
            placeholder={labels.editor.eventPlaceholder}
            onChange={(event_types) => change({ event_types: event_types.slice(0, LIMITS.annotationEventTypes) })}
          />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label={a.textProperty} labelWidth={20}>
          <CommitInput
            testId={ids.textProperty}
            width={36}
            value={query.text_property ?? ''}
            placeholder={a.textPropertyPlaceholder}
            onCommit={(text) => change({ text_property: text.trim() || undefined })}
          />
        </InlineField>
        <InlineField label={a.limit}>
          <CommitInput
            testId={ids.limit}
            type="number"
            width={10}
            min={LIMITS.annotations.min}
            max={LIMITS.annotations.max}
            value={String(query.limit ?? DEFAULTS.annotationLimit)}
            onCommit={(text) =>
              change({
                limit: clampInt(text, LIMITS.annotations.min, LIMITS.annotations.max, DEFAULTS.annotationLimit),
              })
            }
          />
        </InlineField>
        <InlineField label={labels.editor.tenant.label}>
          <TenantPicker
            datasource={datasource}
            testId={dsTestIds.editor.tenant}
            value={query.tenant}
            onChange={(tenant) => change({ tenant })}
          />
        </InlineField>
      </InlineFieldRow>
      <div data-testid={dsTestIds.editor.preview}>
        <Text color="secondary" italic>
          {labels.editor.preview}: {describeQuery(query, datasource.defaultTenant)}
        </Text>
      </div>
    </Stack>
  );
}
