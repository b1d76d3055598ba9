import type { EmailMessage, OutboundMessage, WebhookMessage } from '../../delivery/message.js';
import type { AlertRow } from '../incidents/store.js';
import { PAGERDUTY_URL, twilioUrl, type ChannelKind, type ChannelSecret, type ChannelSettings } from './model.js';

/**
 * The message each kind of channel gets for a notice about an incident (issue "Alert management", item 6), as
 * messages for delivery/ (email, or a webhook POST: JSON, or a form for SMS and voice providers).
 */
export type NoticeEvent = 'trigger' | 'acknowledge' | 'resolve';

export interface NoticeIncident {
  id: string;
  tenant_id: string | null;
  title: string;
  severity: string;
  state: string;
  runbook_url: string | null;
  service: string | null;
}

export interface Notice {
  incident: NoticeIncident;
  event: NoticeEvent;
  important: boolean;
  reason: 'escalation' | 'reminder' | 'test' | 'state';
  /** signed Acknowledge / Resolve links (triggers only) */
  links: { acknowledge: string; resolve: string } | null;
  /** the incident in the app (PUBLIC_URL) */
  incidentUrl: string;
  alerts?: AlertRow[];
  test: boolean;
  /** a Slack member id (U…) to mention: the on-call person a schedule or user target paged */
  mention?: string | null;
}

/** A Slack member id as Slack writes it (U… or W…): only such a value is ever put in a mention. */
export const SLACK_MEMBER_ID = /^[UW][A-Z0-9]{2,30}$/;

export interface ChannelTarget {
  id: string;
  kind: ChannelKind;
  name: string;
  settings: ChannelSettings;
  secret: ChannelSecret;
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
/** PagerDuty's four severities; anything else is an error (it pages, and says so). */
export const pdSeverity = (s: string): (typeof SEVERITIES)[number] => {
  const l = s.toLowerCase();
  return (SEVERITIES as readonly string[]).includes(l) ? (l as (typeof SEVERITIES)[number]) : l === 'page' || l === 'high' ? 'critical' : l === 'low' ? 'info' : 'error';
};

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const htmlEscape = xmlEscape;
/** one line without control characters (subjects, spoken text) */
const line = (s: string) => s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();

function headline(n: Notice): string {
  const what = n.event === 'trigger' ? '' : n.event === 'acknowledge' ? 'Acknowledged: ' : 'Resolved: ';
  return `${n.test ? '[TEST] ' : ''}${what}[${n.incident.severity}]${n.important ? ' [important]' : ''} ${line(n.incident.title)}`;
}

function facts(n: Notice): Array<[string, string]> {
  return [
    ['Severity', n.incident.severity],
    ['Service', n.incident.service ?? '—'],
    ['Tenant', n.incident.tenant_id ?? 'platform'],
    ['State', n.incident.state],
  ];
}

function textBody(n: Notice): string {
  return [
    n.test ? 'This is a test message from CAAS Observatory: the channel works.' : '',
    `Incident ${n.incident.id} is ${n.incident.state}${n.reason === 'reminder' ? ' (a reminder: you acknowledged it and it is still not resolved)' : ''}.`,
    ...facts(n).map(([k, v]) => `${k}: ${v}`),
    n.incident.runbook_url ? `Runbook: ${n.incident.runbook_url}` : '',
    `Open: ${n.incidentUrl}`,
    n.links ? `Acknowledge: ${n.links.acknowledge}` : '',
    n.links ? `Resolve: ${n.links.resolve}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export function emailMessage(to: string[], n: Notice): EmailMessage {
  const a = (href: string, label: string) => `<a href="${htmlEscape(href)}">${htmlEscape(label)}</a>`;
  const html = [
    `<h2>${htmlEscape(headline(n))}</h2>`,
    n.test ? '<p>This is a test message from CAAS Observatory: the channel works.</p>' : '',
    `<table>${facts(n)
      .map(([k, v]) => `<tr><th align="left">${htmlEscape(k)}</th><td>${htmlEscape(v)}</td></tr>`)
      .join('')}</table>`,
    `<p>${[a(n.incidentUrl, 'Open the incident'), n.incident.runbook_url ? a(n.incident.runbook_url, 'Runbook') : '', n.links ? a(n.links.acknowledge, 'Acknowledge') : '', n.links ? a(n.links.resolve, 'Resolve') : '']
      .filter(Boolean)
      .join(' · ')}</p>`,
  ].join('\n');
  return { kind: 'email', to, subject: clip(headline(n), 900), text: textBody(n), html };
}

/** Slack Block Kit: a header, the facts as fields, and link buttons (runbook, Acknowledge, Resolve). */
export function slackBody(n: Notice): Record<string, unknown> {
  const buttons: Array<Record<string, unknown>> = [];
  if (n.links) {
    buttons.push({ type: 'button', action_id: 'acknowledge', text: { type: 'plain_text', text: 'Acknowledge' }, url: n.links.acknowledge, style: 'primary' });
    buttons.push({ type: 'button', action_id: 'resolve', text: { type: 'plain_text', text: 'Resolve' }, url: n.links.resolve, style: 'danger' });
  }
  if (n.incident.runbook_url) {
    buttons.push({ type: 'button', action_id: 'runbook', text: { type: 'plain_text', text: 'Runbook' }, url: clip(n.incident.runbook_url, 3000) });
  }
  buttons.push({ type: 'button', action_id: 'open', text: { type: 'plain_text', text: 'Open incident' }, url: n.incidentUrl });
  return {
    text: clip(headline(n), 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(headline(n), 150), emoji: true } },
      ...(n.mention && SLACK_MEMBER_ID.test(n.mention) ? [{ type: 'section', text: { type: 'mrkdwn', text: `<@${n.mention}> you are on call for this incident` } }] : []),
      { type: 'section', fields: facts(n).map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${slackEscape(clip(v, 1900))}` })) },
      { type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(`${n.test ? 'Test message · ' : ''}incident ${n.incident.id}`) }] },
      { type: 'actions', elements: buttons },
    ],
  };
}

/** PagerDuty Events API v2: trigger with a payload; acknowledge and resolve name the incident by its dedup_key. */
export function pagerDutyBody(routingKey: string, n: Notice): Record<string, unknown> {
  const base = { routing_key: routingKey, event_action: n.event, dedup_key: n.test ? `${n.incident.id}:test` : n.incident.id };
  if (n.event !== 'trigger') {
    return base;
  }
  return {
    ...base,
    payload: {
      summary: clip(headline(n), 1024),
      source: n.incident.tenant_id ? `caas/${n.incident.tenant_id}` : 'caas-observatory',
      severity: pdSeverity(n.incident.severity),
      component: n.incident.service ?? undefined,
      group: n.incident.tenant_id ?? 'platform',
      custom_details: {
        incident_id: n.incident.id,
        state: n.incident.state,
        important: n.important,
        test: n.test,
        acknowledge_url: n.links?.acknowledge,
        resolve_url: n.links?.resolve,
      },
    },
    links: [...(n.incident.runbook_url ? [{ href: n.incident.runbook_url, text: 'Runbook' }] : []), { href: n.incidentUrl, text: 'Open in CAAS Observatory' }],
  };
}

const basic = (s: ChannelSecret) => `Basic ${Buffer.from(`${s.account_sid ?? ''}:${s.auth_token ?? ''}`).toString('base64')}`;

/** What one text or call says. */
export function spokenText(n: Notice): string {
  return clip(`${headline(n)}. Service ${n.incident.service ?? 'unknown'}, tenant ${n.incident.tenant_id ?? 'platform'}. Incident ${n.incident.id}.`, 1500);
}

/** A Twilio-style SMS (Body) or call (Twiml <Say>) to one number: a form POST with Basic auth. */
export function twilioMessage(kind: 'sms' | 'phone', settings: ChannelSettings, secret: ChannelSecret, to: string, n: Notice): WebhookMessage {
  const url = settings.api_url ?? twilioUrl(secret.account_sid ?? '', kind);
  const text = spokenText(n);
  const form: Record<string, string> = kind === 'sms' ? { To: to, From: settings.from ?? '', Body: text } : { To: to, From: settings.from ?? '', Twiml: `<Response><Say>${xmlEscape(line(text))}</Say></Response>` };
  return { kind: 'webhook', url, body: undefined, form, headers: { authorization: basic(secret) } };
}

/** The generic webhook's JSON: the incident, its alerts and the action links; signed with the channel's secret. */
export function webhookBody(n: Notice): Record<string, unknown> {
  return {
    version: '1',
    event: n.event,
    test: n.test,
    reason: n.reason,
    important: n.important,
    incident: { ...n.incident, url: n.incidentUrl },
    alerts: (n.alerts ?? []).map((a) => ({ fingerprint: a.fingerprint, status: a.status, labels: a.labels, annotations: a.annotations, starts_at: a.starts_at, ends_at: a.ends_at })),
    links: n.links,
  };
}

/** The messages for one channel: one, or one per number for SMS and phone. */
export function messagesFor(c: ChannelTarget, n: Notice): Array<{ message: OutboundMessage; suffix: string }> {
  switch (c.kind) {
    case 'email':
      return [{ message: emailMessage(c.settings.to ?? [], n), suffix: '' }];
    case 'slack':
      return [{ message: { kind: 'webhook', url: c.secret.webhook_url ?? '', body: slackBody(n) }, suffix: '' }];
    case 'pagerduty':
      return [{ message: { kind: 'webhook', url: c.settings.api_url ?? PAGERDUTY_URL, body: pagerDutyBody(c.secret.routing_key ?? '', n) }, suffix: '' }];
    case 'sms':
    case 'phone':
      return (c.settings.to ?? []).map((to) => ({ message: twilioMessage(c.kind as 'sms' | 'phone', c.settings, c.secret, to, n), suffix: `:${to}` }));
    case 'webhook':
      return [{ message: { kind: 'webhook', url: c.settings.url ?? '', body: webhookBody(n), ...(c.secret.signing_secret ? { secret: c.secret.signing_secret } : {}) }, suffix: '' }];
  }
}
