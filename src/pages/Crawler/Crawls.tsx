import React, { useEffect, useMemo } from 'react';
import {
  Button,
  type Column,
  InteractiveTable,
  LoadingPlaceholder,
  RadioButtonGroup,
  Stack,
  Tab,
  TabsBar,
  Text,
  useTheme2,
} from '@grafana/ui';
import { CRAWL_TYPES, type CrawlRun, type CrawlType, listCrawls } from '../../api/crawler';
import { ErrorAlert } from '../../components/ErrorAlert';
import { SectionHeader } from '../../components/SectionHeader';
import { testIds } from '../../components/testIds';
import { type RequestState, useRequest } from '../../hooks/useRequest';
import { labels } from '../../labels';
import { formatAgo, formatTime } from '../../utils/format';
import { JobStateBadge } from '../Home/job-view';
import { crawlEta, crawlProgress, crawlRate, crawlTypeName, entityName, isActive } from './crawl-view';
import { ErrorText } from './ErrorText';

/** The page's URL params: the crawls tab, the type shown, the job whose log is open. */
export const CRAWLER_PARAMS = { tab: 'crawls', type: 'crawlType', job: 'job' } as const;

export type CrawlsTab = 'recent' | 'active' | 'failed';
const TABS: CrawlsTab[] = ['recent', 'active', 'failed'];

/** The newest crawls of any state under Recent. */
export const RECENT_LIMIT = 25;
/** Running, waiting and failed crawls listed at most. */
export const STATE_LIMIT = 100;
/** While a crawl runs or waits, the list (and an open crawl's log) is read again this often: live progress. */
export const LIVE_POLL_MS = 2_000;

export function parseTab(value: string | null): CrawlsTab {
  return TABS.includes(value as CrawlsTab) ? (value as CrawlsTab) : 'recent';
}

export function parseType(value: string | null): CrawlType | undefined {
  return CRAWL_TYPES.includes(value as CrawlType) ? (value as CrawlType) : undefined;
}

export interface CrawlLists {
  recent: CrawlRun[];
  /** running first, then waiting */
  active: CrawlRun[];
  failed: CrawlRun[];
}

/** The section's lists in one go, for the picked tenant and type (GET /v1/crawls). */
export async function loadCrawls(
  tenant: string | undefined,
  type: CrawlType | undefined,
  signal: AbortSignal
): Promise<CrawlLists> {
  const list = (query: Parameters<typeof listCrawls>[0]) =>
    listCrawls({ tenant_id: tenant, type, ...query }, { signal });
  const [recent, running, queued, failed] = await Promise.all([
    list({ limit: RECENT_LIMIT }),
    list({ state: 'running', limit: STATE_LIMIT }),
    list({ state: 'queued', limit: STATE_LIMIT }),
    list({ state: 'failed', limit: STATE_LIMIT }),
  ]);
  return { recent, active: [...running, ...queued], failed };
}

/**
 * The crawls for the picked tenant and type, read again every LIVE_POLL_MS while one runs or waits, so progress,
 * rate and time left move without a click.
 */
export function useCrawls(tenant: string | undefined, type: CrawlType | undefined): RequestState<CrawlLists> {
  const state = useRequest(`crawls:${tenant ?? ''}:${type ?? ''}`, (signal) => loadCrawls(tenant, type, signal));
  const { data, loading, retry } = state;
  const busy = (data?.active.length ?? 0) > 0;
  useEffect(() => {
    if (!busy || loading) {
      return;
    }
    const timer = setTimeout(retry, LIVE_POLL_MS);
    return () => clearTimeout(timer);
  }, [busy, loading, retry]);
  return state;
}

interface Props {
  crawls: RequestState<CrawlLists>;
  tab: CrawlsTab;
  type: CrawlType | undefined;
  tenant: string | undefined;
  apiUrlSet?: boolean;
  onTab: (tab: CrawlsTab) => void;
  onType: (type: CrawlType | undefined) => void;
  onOpenJob: (id: string) => void;
}

/**
 * Crawl jobs with their live progress: done out of the total (or of the estimate), documents per second, time left,
 * errors and state; Recent, Running and waiting, Failed; one type or all; a job's run log opens below.
 */
export function Crawls({ crawls, tab, type, tenant, apiUrlSet, onTab, onType, onOpenJob }: Props) {
  const c = labels.crawler.crawls;
  const { data, loading, error, retry } = crawls;
  const shown = data ? (tab === 'recent' ? data.recent : tab === 'active' ? data.active : data.failed) : [];
  const live = (data?.active.length ?? 0) > 0;
  const count = (list: CrawlRun[] | undefined) => (list ? list.length : null);

  return (
    <section data-testid={testIds.crawler.crawls} aria-label={c.title}>
      <SectionHeader
        title={c.title}
        refreshLabel={c.refresh}
        onRefresh={retry}
        loading={loading}
        refreshTestId={testIds.crawler.crawlsRefresh}
      />
      <Stack direction="row" gap={2} alignItems="center" wrap="wrap">
        <Text element="p" color="secondary" variant="bodySmall">
          {tenant ? c.scopeTenant(tenant) : c.scopeAll}
        </Text>
        {live && (
          <div data-testid={testIds.crawler.live}>
            <Text color="info" variant="bodySmall">
              {c.live(LIVE_POLL_MS / 1000)}
            </Text>
          </div>
        )}
      </Stack>
      <div data-testid={testIds.crawler.crawlsType} style={{ margin: '8px 0' }}>
        <RadioButtonGroup<CrawlType | 'all'>
          size="sm"
          value={type ?? 'all'}
          onChange={(v) => onType(v === 'all' ? undefined : v)}
          aria-label={c.typeFilter}
          options={[
            { value: 'all', label: c.allTypes },
            ...CRAWL_TYPES.map((t) => ({ value: t, label: crawlTypeName(t) })),
          ]}
        />
      </div>
      <TabsBar>
        {TABS.map((id) => (
          <Tab
            key={id}
            data-testid={testIds.crawler.crawlsTab(id)}
            label={c.tabs[id]}
            active={tab === id}
            counter={count(id === 'recent' ? data?.recent : id === 'active' ? data?.active : data?.failed)}
            onChangeTab={() => onTab(id)}
          />
        ))}
      </TabsBar>
      <div style={{ paddingTop: 8 }}>
        {loading && !data && error === undefined && (
          <LoadingPlaceholder text={c.loading} data-testid={testIds.crawler.crawlsLoading} />
        )}
        {error !== undefined && !loading && (
          <ErrorAlert error={error} apiUrlSet={apiUrlSet} onRetry={retry} testId={testIds.crawler.crawlsError} />
        )}
        {data && error === undefined && shown.length === 0 && (
          <div data-testid={testIds.crawler.crawlsEmpty}>
            <Text element="p">{c.empty[tab]}</Text>
            <Text element="p" color="secondary" variant="bodySmall">
              {c.emptyHint}
            </Text>
          </div>
        )}
        {data && error === undefined && shown.length > 0 && <CrawlTable runs={shown} onOpen={onOpenJob} />}
      </div>
    </section>
  );
}

function ProgressCell({ run }: { run: CrawlRun }) {
  const theme = useTheme2();
  const p = crawlProgress(run);
  const color =
    run.state === 'failed'
      ? theme.colors.error.main
      : run.state === 'succeeded'
        ? theme.colors.success.main
        : theme.colors.primary.main;
  return (
    <div
      data-testid={testIds.crawler.progress(run.id)}
      title={run.progress.message ?? undefined}
      style={{ minWidth: 140 }}
    >
      <Text>{p.text}</Text>
      {p.fraction !== null && (
        <div style={{ height: 4, background: theme.colors.background.secondary, borderRadius: 2, marginTop: 2 }}>
          <div style={{ width: `${Math.round(p.fraction * 100)}%`, height: 4, background: color, borderRadius: 2 }} />
        </div>
      )}
    </div>
  );
}

function CrawlTable({ runs, onOpen }: { runs: CrawlRun[]; onOpen: (id: string) => void }) {
  const c = labels.crawler.crawls;
  const columns = useMemo(
    (): Array<Column<CrawlRun>> => [
      { id: 'source', header: c.columns.source, cell: ({ row }) => row.original.source_id },
      {
        id: 'type',
        header: c.columns.type,
        cell: ({ row }) => <span title={row.original.id}>{crawlTypeName(row.original.type)}</span>,
      },
      { id: 'entity', header: c.columns.entity, cell: ({ row }) => entityName(row.original.entity) },
      { id: 'tenant', header: c.columns.tenant, cell: ({ row }) => row.original.tenant_id ?? '' },
      {
        id: 'state',
        header: c.columns.state,
        cell: ({ row }) => (
          <span data-testid={testIds.crawler.state(row.original.id)}>
            <JobStateBadge state={row.original.state} />
          </span>
        ),
      },
      { id: 'progress', header: c.columns.progress, cell: ({ row }) => <ProgressCell run={row.original} /> },
      {
        id: 'rate',
        header: c.columns.rate,
        cell: ({ row }) => <span data-testid={testIds.crawler.rate(row.original.id)}>{crawlRate(row.original)}</span>,
      },
      {
        id: 'eta',
        header: c.columns.eta,
        cell: ({ row }) => {
          const eta = crawlEta(row.original);
          return (
            <span data-testid={testIds.crawler.eta(row.original.id)} title={eta.hint}>
              {eta.text}
            </span>
          );
        },
      },
      {
        id: 'errors',
        header: c.columns.errors,
        cell: ({ row }) =>
          row.original.last_error ? (
            <ErrorText
              color={row.original.state === 'failed' ? 'error' : 'warning'}
              text={
                isActive(row.original)
                  ? c.retrying(row.original.attempts, row.original.last_error)
                  : row.original.last_error
              }
            />
          ) : (
            <Text color="secondary">{c.noErrors}</Text>
          ),
      },
      {
        id: 'started',
        header: c.columns.started,
        cell: ({ row }) =>
          row.original.started_at ? (
            <span title={formatTime(row.original.started_at)}>{formatAgo(row.original.started_at)}</span>
          ) : (
            <Text color="secondary">{c.notStarted}</Text>
          ),
      },
      {
        id: 'open',
        header: '',
        cell: ({ row }) => (
          <Button
            size="sm"
            variant="secondary"
            icon="file-alt"
            onClick={() => onOpen(row.original.id)}
            data-testid={testIds.crawler.openCrawl(row.original.id)}
          >
            {c.open}
          </Button>
        ),
      },
    ],
    [c, onOpen]
  );
  return (
    <div data-testid={testIds.crawler.crawlsTable}>
      <InteractiveTable<CrawlRun> columns={columns} data={runs} getRowId={(run) => run.id} />
    </div>
  );
}
