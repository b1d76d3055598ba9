import React, { useCallback, useEffect, useRef } from 'react';
import { usePluginContext } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, Stack, Text } from '@grafana/ui';
import { listSources } from '../../api/crawler';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { testIds } from '../../components/testIds';
import { useRequest } from '../../hooks/useRequest';
import { useUrlState } from '../../hooks/useUrlState';
import { labels } from '../../labels';
import type { AppJsonData } from '../../types';
import { isOrgAdmin } from '../../utils/org-role';
import { JobDetail } from '../Home/JobDetail';
import { CRAWLER_PARAMS, Crawls, LIVE_POLL_MS, parseTab, parseType, useCrawls } from './Crawls';
import { Sources } from './Sources';

/**
 * The Crawler page (issue "Crawler and search"): the sources search is fed from with a cursor per entity and tenant
 * (newest incremental crawl, deletion sync, errors), Full reindex / Incremental / Deletion sync for the picked tenant,
 * and the crawl jobs with their live progress; a job's run log opens below. Writing needs a Grafana Admin (the app
 * holds the admin key in its Admin routes only); a Viewer reads everything and is told who can act and how. The
 * tenant, the crawls' tab and type and the open job are in the URL.
 */
function Crawler() {
  // Inside Grafana the app root is wrapped in a PluginContextProvider; outside it (tests) this is null.
  const context = usePluginContext<AppJsonData>();
  const apiUrlSet = context ? Boolean(context.meta.jsonData?.apiUrl) : undefined;
  const state = useUrlState();
  const { tenant, params, update } = state;
  const admin = isOrgAdmin();
  const tab = parseTab(params.get(CRAWLER_PARAMS.tab));
  const type = parseType(params.get(CRAWLER_PARAMS.type));
  const openId = params.get(CRAWLER_PARAMS.job) || undefined;

  const sources = useRequest('sources', (signal) => listSources({ signal }));
  const crawls = useCrawls(tenant, type);
  const follow = useSourcesFollowCrawls(crawls.data, crawls.at, sources.retry);

  const openJob = useCallback((id: string) => update({ [CRAWLER_PARAMS.job]: id }), [update]);
  const retryCrawls = crawls.retry;
  const onCrawlsStarted = useCallback(
    (jobIds: string[]) => {
      follow(jobIds);
      retryCrawls();
    },
    [follow, retryCrawls]
  );
  const detail = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (openId) {
      detail.current?.scrollIntoView?.({ behavior: 'smooth', block: 'nearest' });
    }
  }, [openId]);

  return (
    <PluginPage>
      <div data-testid={testIds.crawler.container}>
        <Stack direction="column" gap={4}>
          <Stack direction="column" gap={1}>
            <Text element="p" color="secondary">
              {labels.crawler.subtitle}
            </Text>
            <PageHeader state={state} allTenants />
          </Stack>
          {!admin && (
            <div data-testid={testIds.crawler.viewerNotice}>
              <Alert severity="info" title={labels.crawler.viewerNotice.title}>
                {labels.crawler.viewerNotice.body}
              </Alert>
            </div>
          )}
          <Sources
            sources={sources}
            tenant={tenant}
            admin={admin}
            apiUrlSet={apiUrlSet}
            onOpenJob={openJob}
            onCrawlsStarted={onCrawlsStarted}
          />
          <Crawls
            crawls={crawls}
            tab={tab}
            type={type}
            tenant={tenant}
            apiUrlSet={apiUrlSet}
            onTab={(next) => update({ [CRAWLER_PARAMS.tab]: next === 'recent' ? undefined : next })}
            onType={(next) => update({ [CRAWLER_PARAMS.type]: next })}
            onOpenJob={openJob}
          />
          <div ref={detail}>
            {openId && (
              <JobDetail
                id={openId}
                apiUrlSet={apiUrlSet}
                pollMs={LIVE_POLL_MS}
                onClose={() => update({ [CRAWLER_PARAMS.job]: undefined })}
              />
            )}
          </div>
        </Stack>
      </div>
    </PluginPage>
  );
}

/**
 * When a crawl that was running or waiting, or one started from the page, is no longer (it finished), its cursor
 * moved: read the sources again so the documents, read-up-to times and newest runs follow the crawls. A crawl started
 * here may finish before the list first shows it running, so the ones started are followed from the next answer on.
 */
export function useSourcesFollowCrawls(
  lists: { active: Array<{ id: string }> } | undefined,
  at: number | undefined,
  retrySources: () => void
): (jobIds: string[]) => void {
  const followed = useRef(new Set<string>());
  const startedAt = useRef(0);
  useEffect(() => {
    if (!lists || at === undefined || at < startedAt.current) {
      return;
    }
    const active = new Set(lists.active.map((run) => run.id));
    const finished = [...followed.current].filter((id) => !active.has(id));
    followed.current = active;
    if (finished.length > 0) {
      retrySources();
    }
  }, [lists, at, retrySources]);
  return useCallback((jobIds: string[]) => {
    startedAt.current = Date.now();
    jobIds.forEach((id) => followed.current.add(id));
  }, []);
}

export default Crawler;
