import React, { useCallback, useState } from 'react';
import { Alert, Button, Card, ConfirmModal, LoadingPlaceholder, Stack, Text } from '@grafana/ui';
import { type CrawlCursor, removeSource, resetCursor, type SourceInfo } from '../../api/crawler';
import { ErrorAlert } from '../../components/ErrorAlert';
import { SectionHeader } from '../../components/SectionHeader';
import { testIds } from '../../components/testIds';
import type { RequestState } from '../../hooks/useRequest';
import { labels } from '../../labels';
import { formatAgo, formatTime } from '../../utils/format';
import { AddSource } from './AddSource';
import { CrawlActions } from './CrawlActions';
import { Cursors } from './Cursors';
import { describeAdminError, entityName } from './crawl-view';

type Pending = { kind: 'remove'; source: string } | { kind: 'reset'; source: string; cursor: CrawlCursor };

interface Props {
  sources: RequestState<SourceInfo[]>;
  /** the header's tenant: the cursors shown and the tenant crawls read; undefined: every tenant's cursors */
  tenant: string | undefined;
  admin: boolean;
  apiUrlSet?: boolean;
  onOpenJob: (id: string) => void;
  onCrawlsStarted: (jobIds: string[]) => void;
}

/**
 * The crawl sources (GET /v1/sources), each with what it is (never its secrets), its crawl buttons for the picked
 * tenant and its cursors. Admins add a source (the form opens by itself while there is none), remove one and reset a
 * cursor, each through plugin.json's Admin routes; everyone else is told who can and how.
 */
export function Sources({ sources, tenant, admin, apiUrlSet, onOpenJob, onCrawlsStarted }: Props) {
  const s = labels.crawler.sources;
  const { data, loading, error, retry } = sources;
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [pending, setPending] = useState<Pending>();
  const [actionError, setActionError] = useState<unknown>();
  const empty = data !== undefined && error === undefined && data.length === 0;

  const onReset = useCallback(
    (cursor: CrawlCursor) => setPending({ kind: 'reset', source: cursor.source_id, cursor }),
    []
  );

  const confirm = async () => {
    const p = pending;
    setPending(undefined);
    if (!p) {
      return;
    }
    setActionError(undefined);
    setNotice(undefined);
    try {
      if (p.kind === 'remove') {
        await removeSource(p.source);
        setNotice(s.removed(p.source));
      } else {
        await resetCursor(p.source, p.cursor.entity, p.cursor.tenant_id);
        setNotice(labels.crawler.cursors.resetDone(p.source, entityName(p.cursor.entity), p.cursor.tenant_id));
      }
    } catch (e) {
      setActionError(e);
    }
    retry();
  };

  return (
    <section data-testid={testIds.crawler.sources} aria-label={s.title}>
      <SectionHeader
        title={s.title}
        refreshLabel={s.refresh}
        onRefresh={retry}
        loading={loading}
        refreshTestId={testIds.crawler.sourcesRefresh}
      />
      <Text element="p" color="secondary" variant="bodySmall">
        {s.hint}
      </Text>
      <Stack direction="column" gap={2}>
        {notice && (
          <div data-testid={testIds.crawler.notice}>
            <Alert severity="success" title={notice} onRemove={() => setNotice(undefined)} />
          </div>
        )}
        {actionError !== undefined && (
          <ErrorAlert
            error={actionError}
            apiUrlSet={apiUrlSet}
            describe={describeAdminError}
            testId={testIds.crawler.actionError}
          />
        )}
        {loading && data === undefined && error === undefined && (
          <LoadingPlaceholder text={s.loading} data-testid={testIds.crawler.sourcesLoading} />
        )}
        {error !== undefined && !loading && (
          <ErrorAlert error={error} apiUrlSet={apiUrlSet} onRetry={retry} testId={testIds.crawler.sourcesError} />
        )}
        {empty && (
          <div data-testid={testIds.crawler.sourcesEmpty}>
            <Text element="p">{s.empty}</Text>
            <Text element="p" color="secondary" variant="bodySmall">
              {admin ? s.emptyHintAdmin : s.emptyHintViewer}
            </Text>
          </div>
        )}
        {admin && error === undefined && data !== undefined && (adding || empty) && (
          <Card noMargin>
            <Card.Description>
              <AddSource
                apiUrlSet={apiUrlSet}
                onCancel={empty ? undefined : () => setAdding(false)}
                onAdded={(added) => {
                  setAdding(false);
                  setActionError(undefined);
                  setNotice(s.added(added.id));
                  retry();
                }}
              />
            </Card.Description>
          </Card>
        )}
        {admin && !adding && !empty && data !== undefined && error === undefined && (
          <div>
            <Button
              variant="secondary"
              icon="plus"
              size="sm"
              onClick={() => setAdding(true)}
              data-testid={testIds.crawler.addToggle}
            >
              {s.add}
            </Button>
          </div>
        )}
        {data !== undefined &&
          error === undefined &&
          data.map((source) => (
            <SourceCard
              key={source.id}
              source={source}
              tenant={tenant}
              admin={admin}
              apiUrlSet={apiUrlSet}
              onOpenJob={onOpenJob}
              onCrawlsStarted={onCrawlsStarted}
              onRemove={() => setPending({ kind: 'remove', source: source.id })}
              onReset={onReset}
            />
          ))}
      </Stack>
      <ConfirmModal
        isOpen={pending?.kind === 'remove'}
        title={s.removeTitle(pending?.source ?? '')}
        body={s.removeBody}
        confirmText={s.removeConfirm}
        onConfirm={() => void confirm()}
        onDismiss={() => setPending(undefined)}
      />
      <ConfirmModal
        isOpen={pending?.kind === 'reset'}
        title={
          pending?.kind === 'reset'
            ? labels.crawler.cursors.resetTitle(
                pending.source,
                entityName(pending.cursor.entity),
                pending.cursor.tenant_id
              )
            : ''
        }
        body={labels.crawler.cursors.resetBody}
        confirmText={labels.crawler.cursors.resetConfirm}
        confirmButtonVariant="primary"
        onConfirm={() => void confirm()}
        onDismiss={() => setPending(undefined)}
      />
    </section>
  );
}

interface CardProps {
  source: SourceInfo;
  tenant: string | undefined;
  admin: boolean;
  apiUrlSet?: boolean;
  onOpenJob: (id: string) => void;
  onCrawlsStarted: (jobIds: string[]) => void;
  onRemove: () => void;
  onReset: (cursor: CrawlCursor) => void;
}

function SourceCard({ source, tenant, admin, apiUrlSet, onOpenJob, onCrawlsStarted, onRemove, onReset }: CardProps) {
  const s = labels.crawler.sources;
  const cursors = tenant ? source.cursors.filter((c) => c.tenant_id === tenant) : source.cursors;
  const kind = s.kinds[source.kind as keyof typeof s.kinds] ?? source.kind;
  const facts: Array<[string, NonNullable<React.ReactNode>]> = [
    [s.facts.kind, kind],
    source.kind === 'postgres'
      ? [s.facts.connection, source.connection_string.set ? s.secretSet : s.secretNone]
      : [s.facts.url, source.url ?? s.secretNone],
    ...(source.kind === 'postgres'
      ? []
      : [[s.facts.token, source.token.set ? s.secretSet : s.secretNone] as [string, string]]),
    [s.facts.rateLimit, source.rate_limit_per_s === null ? s.rateDefault : s.rate(source.rate_limit_per_s)],
    [s.facts.schedules, s.schedules(source.schedules.incremental, source.schedules.deleted)],
    [
      s.facts.created,
      <span key="created" title={formatTime(source.created_at)}>
        {formatAgo(source.created_at)}
      </span>,
    ],
  ];
  return (
    <div data-testid={testIds.crawler.source(source.id)}>
      <Card noMargin>
        <Card.Heading>{s.heading(source.id)}</Card.Heading>
        <Card.Actions>
          <Button
            variant="destructive"
            size="sm"
            icon="trash-alt"
            fill="outline"
            disabled={!admin}
            tooltip={admin ? s.removeHint : labels.crawler.adminOnly}
            onClick={onRemove}
            data-testid={testIds.crawler.removeSource(source.id)}
          >
            {s.remove}
          </Button>
        </Card.Actions>
        <Card.Description>
          <Stack direction="column" gap={2}>
            <dl
              data-testid={testIds.crawler.sourceFacts(source.id)}
              style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: 16, rowGap: 2, margin: 0 }}
            >
              {facts.map(([name, value]) => (
                <React.Fragment key={name}>
                  <dt>
                    <Text color="secondary">{name}</Text>
                  </dt>
                  <dd style={{ margin: 0 }}>
                    <Text color="primary">{value}</Text>
                  </dd>
                </React.Fragment>
              ))}
            </dl>
            <CrawlActions
              sourceId={source.id}
              tenant={tenant}
              admin={admin}
              apiUrlSet={apiUrlSet}
              onStarted={onCrawlsStarted}
              onOpenJob={onOpenJob}
            />
            <Stack direction="column" gap={1}>
              <Text element="h5">{labels.crawler.cursors.title}</Text>
              {cursors.length === 0 ? (
                <div data-testid={testIds.crawler.cursorsEmpty(source.id)}>
                  <Text color="secondary">
                    {tenant ? labels.crawler.cursors.noneForTenant(tenant) : labels.crawler.cursors.none}
                  </Text>
                </div>
              ) : (
                <Cursors sourceId={source.id} cursors={cursors} admin={admin} onOpenJob={onOpenJob} onReset={onReset} />
              )}
            </Stack>
          </Stack>
        </Card.Description>
      </Card>
    </div>
  );
}
