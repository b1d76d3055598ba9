import React from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { Button, Icon, type IconName, Stack, Text, TextLink, useStyles2 } from '@grafana/ui';
import type { SearchHit } from '../../api/search';
import { testIds } from '../../components/testIds';
import { labels } from '../../labels';
import { formatBytes } from '../../utils/format';
import { parseHighlight } from './highlight';

const ICONS: Record<SearchHit['entity'], IconName> = {
  messages: 'comment-alt',
  files: 'file-alt',
  users: 'user',
  conversations: 'comments-alt',
};

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Highlighted text when the field matched, else the document's own text. */
function Marked({ hit, field, fallback }: { hit: SearchHit; field: string; fallback?: string }) {
  const styles = useStyles2(getStyles);
  const html = hit.highlights[field];
  if (html === undefined) {
    return <>{fallback ?? str(hit.doc[field])}</>;
  }
  return (
    <>
      {parseHighlight(html).map((s, i) =>
        s.mark ? (
          <mark key={i} className={styles.mark}>
            {s.text}
          </mark>
        ) : (
          <React.Fragment key={i}>{s.text}</React.Fragment>
        )
      )}
    </>
  );
}

interface Props {
  hit: SearchHit;
  /** Narrows the search to the hit's conversation or sender (messages, files). */
  onFilter?: (filter: { conversation?: string; sender?: string }) => void;
}

/** One result with the context a reader needs: where, who, when, and for a file its name, type and size. */
export function HitItem({ hit, onFilter }: Props) {
  const styles = useStyles2(getStyles);
  const d = hit.doc;
  const created = num(d.created_at);
  const when = created !== undefined ? dateTimeFormat(created) : '';
  const conversation = hit.context?.conversation;
  const sender = hit.context?.sender;
  const conversationId = str(d.conversation_id);
  const senderId = hit.entity === 'files' ? str(d.uploader_id) : str(d.sender_id);
  const l = labels.search.hit;

  const where = (hit.entity === 'messages' || hit.entity === 'files') && (
    <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
      <Text color="secondary" variant="bodySmall">
        {l.in} <strong>{conversation?.title ?? conversationId}</strong> {hit.entity === 'files' ? l.uploadedBy : l.by}{' '}
        <strong>{sender ? `${sender.name} (@${sender.handle})` : senderId}</strong> · {when}
      </Text>
      {onFilter && conversationId && (
        <Button
          size="sm"
          variant="secondary"
          fill="text"
          icon="filter"
          onClick={() => onFilter({ conversation: conversationId })}
          data-testid={testIds.search.filterConversation}
        >
          {labels.search.filters.inConversation}
        </Button>
      )}
      {onFilter && senderId && (
        <Button
          size="sm"
          variant="secondary"
          fill="text"
          icon="user"
          onClick={() => onFilter({ sender: senderId })}
          data-testid={testIds.search.filterSender}
        >
          {labels.search.filters.fromSender}
        </Button>
      )}
    </Stack>
  );

  let body: React.ReactNode;
  switch (hit.entity) {
    case 'messages':
      body = (
        <>
          <div className={styles.text}>
            <Marked hit={hit} field="text" />
          </div>
          {where}
        </>
      );
      break;
    case 'files': {
      const size = num(d.size);
      const error = str(d.extract_error);
      const url = str(d.download_url);
      body = (
        <>
          <Stack direction="row" gap={1} alignItems="baseline" wrap="wrap">
            <strong>
              <Marked hit={hit} field="name" />
            </strong>
            <Text color="secondary" variant="bodySmall">
              {str(d.mime)}
              {size !== undefined ? ` · ${formatBytes(size)}` : ''}
            </Text>
            {/^https?:\/\//.test(url) && (
              <TextLink href={url} external variant="bodySmall">
                {l.open}
              </TextLink>
            )}
          </Stack>
          {hit.highlights.content !== undefined && (
            <div className={styles.text}>
              <Marked hit={hit} field="content" />
            </div>
          )}
          {error && (
            <Text color="warning" variant="bodySmall">
              {l.unreadable(error)}
            </Text>
          )}
          {where}
        </>
      );
      break;
    }
    case 'users':
      body = (
        <Stack direction="row" gap={1} alignItems="baseline">
          <strong>
            <Marked hit={hit} field="name" />
          </strong>
          <Text color="secondary">
            @<Marked hit={hit} field="handle" />
          </Text>
        </Stack>
      );
      break;
    case 'conversations': {
      const members = Array.isArray(d.member_ids) ? d.member_ids.length : 0;
      body = (
        <Stack direction="row" gap={1} alignItems="baseline" wrap="wrap">
          <strong>
            <Marked hit={hit} field="title" />
          </strong>
          <Text color="secondary" variant="bodySmall">
            {d.kind === 'direct' ? l.direct : l.group} · {l.members(members)} · {when}
          </Text>
        </Stack>
      );
      break;
    }
  }

  return (
    <li className={styles.hit} data-testid={testIds.search.hit(hit.entity, hit.id)}>
      <Icon name={ICONS[hit.entity]} className={styles.icon} title={labels.search.entities[hit.entity]} />
      <div className={styles.main}>{body}</div>
    </li>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  hit: css({
    display: 'flex',
    gap: theme.spacing(1.5),
    padding: theme.spacing(1, 0),
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    listStyle: 'none',
  }),
  icon: css({ marginTop: theme.spacing(0.5), color: theme.colors.text.secondary, flexShrink: 0 }),
  main: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5), minWidth: 0 }),
  text: css({ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }),
  mark: css({
    background: theme.colors.warning.transparent,
    color: theme.colors.text.maxContrast,
    padding: '0 2px',
    borderRadius: theme.shape.radius.default,
  }),
});
