import React, { useEffect, useMemo, useRef, useState } from 'react';
import { type AbsoluteTimeRange, LoadingState, type PanelData } from '@grafana/data';
import { PanelRenderer } from '@grafana/runtime';
import { Alert, LinkButton, LoadingPlaceholder, Stack, Text } from '@grafana/ui';
import { describeError } from '../../api/describe-error';
import { testIds } from '../../components/testIds';
import { CONFIG_PAGE_URL } from '../../constants';
import { QueryValidationError } from '../../datasource/request';
import { labels } from '../../labels';
import type { ExplorerState } from './runQuery';
import { prepareFrames, visualizationFor, type VisualizationId } from './visualization';

export const PANEL_HEIGHT = 420;

interface Props extends ExplorerState {
  view: VisualizationId;
  timeZone?: string;
  /** A time series zoomed by dragging: the explorer takes the new range and runs again. */
  onChangeTimeRange: (range: AbsoluteTimeRange) => void;
  /** No tenant is picked: nothing can be asked until one is. */
  needsTenant?: boolean;
}

/** The answer, drawn by Grafana's own panels (PanelRenderer): a time series or a table, as a dashboard would. */
export function Results({ loading, result, error, view, timeZone, onChangeTimeRange, needsTenant = false }: Props) {
  const [ref, width] = useElementWidth<HTMLDivElement>();

  const data: PanelData | undefined = useMemo(
    () =>
      result && {
        state: LoadingState.Done,
        series: prepareFrames(result.query.kind, result.frames),
        timeRange: result.range,
      },
    [result]
  );
  const kind = result?.query.kind;
  const visualization = kind && kind !== 'annotations' ? visualizationFor(kind, view) : undefined;
  const rows = result?.frames.reduce((n, f) => n + f.length, 0) ?? 0;

  return (
    <section data-testid={testIds.analytics.results} ref={ref}>
      {loading && <LoadingPlaceholder text={labels.analytics.running} data-testid={testIds.analytics.loading} />}
      {!loading && error !== undefined && <QueryError error={error} />}
      {!loading && error === undefined && !result && needsTenant && (
        <div data-testid={testIds.analytics.noTenant}>
          <Text color="secondary">{labels.analytics.noTenant}</Text>
        </div>
      )}
      {!loading && error === undefined && !result && !needsTenant && (
        <div data-testid={testIds.analytics.empty}>
          <Text color="secondary">{labels.analytics.empty}</Text>
        </div>
      )}
      {!loading && error === undefined && result && data && visualization && (
        <Stack direction="column" gap={1}>
          <div data-testid={testIds.analytics.meta}>
            <Text color="secondary" variant="bodySmall">
              {labels.analytics.answered(
                result.meta.source,
                Math.round(result.meta.elapsed_ms),
                result.meta.granularity
              )}
            </Text>
          </div>
          {rows === 0 ? (
            <div data-testid={testIds.analytics.noData}>
              <Text color="secondary">{labels.analytics.noData}</Text>
            </div>
          ) : (
            <div data-testid={testIds.analytics.panel} style={{ height: PANEL_HEIGHT }}>
              <PanelRenderer
                title=""
                pluginId={visualization.pluginId}
                width={width}
                height={PANEL_HEIGHT}
                data={data}
                options={visualization.options}
                fieldConfig={visualization.fieldConfig}
                timeZone={timeZone}
                onChangeTimeRange={onChangeTimeRange}
              />
            </div>
          )}
        </Stack>
      )}
    </section>
  );
}

function QueryError({ error }: { error: unknown }) {
  if (error instanceof QueryValidationError) {
    return (
      <div data-testid={testIds.analytics.error}>
        <Alert severity="warning" title={labels.analytics.invalid}>
          {error.message}
        </Alert>
      </div>
    );
  }
  const description = describeError(error);
  return (
    <div data-testid={testIds.analytics.error}>
      <Alert severity="error" title={description.title}>
        <Stack direction="column" gap={1} alignItems="flex-start">
          <Text element="p">{description.hint}</Text>
          {description.fixOnConfigPage && (
            <LinkButton href={CONFIG_PAGE_URL} icon="cog" variant="secondary" size="sm">
              {labels.health.openConfig}
            </LinkButton>
          )}
        </Stack>
      </Alert>
    </div>
  );
}

/** The width of an element, kept current with a ResizeObserver (jsdom has none: a sensible default width). */
function useElementWidth<T extends HTMLElement>(fallback = 960): [React.RefCallback<T>, number] {
  const [element, setElement] = useState<T | null>(null);
  const [width, setWidth] = useState(fallback);
  const observer = useRef<ResizeObserver | undefined>(undefined);

  useEffect(() => {
    if (!element || typeof ResizeObserver === 'undefined') {
      return;
    }
    observer.current = new ResizeObserver((entries) => {
      const measured = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (measured > 0) {
        setWidth(measured);
      }
    });
    observer.current.observe(element);
    return () => observer.current?.disconnect();
  }, [element]);

  return [setElement, width];
}
