import React from 'react';
import { Button, Combobox, InlineField, InlineFieldRow, InlineLabel, Stack } from '@grafana/ui';
import { LIMITS } from '../constants';
import type { CaasDataSource } from '../datasource';
import { labels } from '../labels';
import { dsTestIds } from '../testIds';
import type { CaasQueryOf, FunnelStep } from '../types';
import { clampInt, CommitInput } from './CommitInput';
import { EventPicker } from './EventTypesPicker';
import { FieldPicker } from './FieldPicker';

const ids = dsTestIds.editor.funnel;
const f = labels.editor.funnel;

type FunnelQuery = CaasQueryOf<'funnel'>;

interface Props {
  datasource: CaasDataSource;
  query: FunnelQuery;
  onChange: (query: FunnelQuery, run?: boolean) => void;
}

const UNITS = [
  { value: 86400, label: 'days' },
  { value: 3600, label: 'hours' },
  { value: 60, label: 'minutes' },
];

/** window_seconds as a count of the largest unit that divides it: 86400 → 1 day, 5400 → 90 minutes. */
export function splitWindow(seconds: number): { count: number; unit: number } {
  for (const { value } of UNITS) {
    if (seconds >= value && seconds % value === 0) {
      return { count: seconds / value, unit: value };
    }
  }
  return { count: Math.max(1, Math.round(seconds / 60)), unit: 60 };
}

/** Move, add and remove steps (2–10, contract FunnelQuery); each step has an event type and an optional label. */
export function FunnelStepsEditor({ datasource, query, onChange }: Props) {
  const steps = query.steps;
  const tenant = query.tenant;
  const setSteps = (next: FunnelStep[], run = true) => onChange({ ...query, steps: next }, run);
  const updateStep = (i: number, patch: Partial<FunnelStep>, run = true) =>
    setSteps(
      steps.map((s, j) => (j === i ? cleanLabel({ ...s, ...patch }) : s)),
      run
    );
  const move = (i: number, by: -1 | 1) => {
    const next = [...steps];
    const [step] = next.splice(i, 1);
    if (step) {
      next.splice(i + by, 0, step);
      setSteps(next);
    }
  };
  const window = splitWindow(query.window_seconds);
  const setWindow = (count: number, unit: number) => {
    const seconds = Math.min(LIMITS.funnelWindowSeconds.max, Math.max(LIMITS.funnelWindowSeconds.min, count * unit));
    onChange({ ...query, window_seconds: seconds });
  };

  return (
    <Stack direction="column" gap={0.5} data-testid={ids.container}>
      {steps.map((step, i) => (
        <Stack key={i} direction="row" gap={0.5} alignItems="center" data-testid={ids.step(i)}>
          <InlineLabel width={10}>{f.step(i + 1)}</InlineLabel>
          <EventPicker
            datasource={datasource}
            tenant={tenant}
            testId={ids.stepEvent(i)}
            value={step.event_type}
            placeholder={f.eventType}
            onChange={(event_type) => updateStep(i, { event_type })}
          />
          <CommitInput
            testId={ids.stepLabel(i)}
            width={24}
            value={step.label ?? ''}
            placeholder={f.label}
            onCommit={(label) => updateStep(i, { label })}
          />
          <Button
            data-testid={ids.stepUp(i)}
            variant="secondary"
            fill="text"
            icon="arrow-up"
            aria-label={f.moveUp}
            tooltip={f.moveUp}
            disabled={i === 0}
            onClick={() => move(i, -1)}
          />
          <Button
            data-testid={ids.stepDown(i)}
            variant="secondary"
            fill="text"
            icon="arrow-down"
            aria-label={f.moveDown}
            tooltip={f.moveDown}
            disabled={i === steps.length - 1}
            onClick={() => move(i, 1)}
          />
          <Button
            data-testid={ids.stepRemove(i)}
            variant="secondary"
            fill="text"
            icon="times"
            aria-label={f.remove}
            tooltip={f.remove}
            disabled={steps.length <= LIMITS.funnelSteps.min}
            onClick={() => setSteps(steps.filter((_, j) => j !== i))}
          />
        </Stack>
      ))}
      <div>
        <Button
          data-testid={ids.add}
          variant="secondary"
          size="sm"
          icon="plus"
          disabled={steps.length >= LIMITS.funnelSteps.max}
          onClick={() => setSteps([...steps, { event_type: '' }], false)}
        >
          {f.add}
        </Button>
      </div>
      <InlineFieldRow>
        <InlineField label={f.window} labelWidth={14}>
          <CommitInput
            testId={ids.window}
            type="number"
            min={1}
            width={10}
            value={String(window.count)}
            onCommit={(text) => setWindow(clampInt(text, 1, 90 * 86400, window.count), window.unit)}
          />
        </InlineField>
        <Combobox<number>
          data-testid={ids.windowUnit}
          width={14}
          options={UNITS}
          value={window.unit}
          onChange={(picked) => setWindow(window.count, picked.value)}
        />
        <InlineField label={f.breakdown}>
          <FieldPicker
            datasource={datasource}
            tenant={tenant}
            testId={ids.breakdown}
            isClearable
            placeholder={f.noBreakdown}
            value={query.breakdown}
            onChange={(breakdown) => {
              const next = { ...query };
              if (breakdown) {
                next.breakdown = breakdown;
              } else {
                delete next.breakdown;
              }
              onChange(next);
            }}
          />
        </InlineField>
      </InlineFieldRow>
    </Stack>
  );
}

function cleanLabel(step: FunnelStep): FunnelStep {
  if (step.label !== undefined && step.label.trim() === '') {
    const { label: _label, ...rest } = step;
    return rest;
  }
  return step;
}
