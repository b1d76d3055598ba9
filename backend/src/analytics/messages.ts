import type { Granularity, MessagesQuery } from '../contracts/analytics.js';
import { num } from './frames.js';
import type { AnalyticsService } from './service.js';
import { parseInstant } from './time.js';

export type MessageRow = Record<string, string | number>;

/**
 * The seed's message counts (CAAS plan, Phase 3.3): `message_sent` events per period, optionally by
 * one column; `group_by=type` is the message's own type (`properties.message_type`), as in the
 * seed's example. Answered by the timeseries kind, so it is planned over the rollups.
 */
export async function messageCounts(analytics: AnalyticsService, tenant: string, q: MessagesQuery): Promise<MessageRow[]> {
  const { group_by: groupBy, granularity = 'day' } = q;
  const field = groupBy === 'type' ? 'properties.message_type' : groupBy;
  const res = await analytics.query(
    {
      kind: 'timeseries',
      from: parseInstant(q.from, 'from'),
      to: parseInstant(q.to, 'to', true),
      metric: { type: 'events' },
      event_types: ['message_sent'],
      granularity: granularity as Granularity,
      ...(field ? { group_by: [field] } : {}),
    },
    tenant
  );
  const frame = res.frames[0];
  const time = frame?.fields[0]?.values ?? [];
  const data: MessageRow[] = [];
  const dateOf = (t: number) => (granularity === 'minute' || granularity === 'hour' ? new Date(t).toISOString() : new Date(t).toISOString().slice(0, 10));
  time.forEach((t, i) => {
    for (const f of frame?.fields.slice(1) ?? []) {
      const count = num(f.values[i]) ?? 0;
      if (count > 0) {
        data.push({ date: dateOf(t as number), ...(groupBy ? { [groupBy]: Object.values(f.labels ?? {})[0] ?? '' } : {}), count });
      }
    }
  });
  return data;
}

/** The same rows as CSV: date, the group column when asked, count. */
export function messageCountsCsv(rows: MessageRow[], groupBy: string | undefined): string {
  const cols = ['date', ...(groupBy ? [groupBy] : []), 'count'];
  const esc = (v: unknown) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  return [cols.join(','), ...rows.map((r) => cols.map((c) => esc(r[c] ?? '')).join(','))].join('\n') + '\n';
}
