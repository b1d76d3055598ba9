import { toYaml, type YamlValue } from '../yaml.js';
import type { ChannelKind } from '../incidents/escalation.js';

/**
 * The Alertmanager configuration the app's channels imply (issue "Alert management", item 2): `GET
 * /v1/alerts/alertmanager.yml`, which `amtool check-config` accepts.
 *
 * - The root route's receiver is `caas-backend`: a webhook to the backend's `POST /v1/alertmanager/webhook` with the
 *   webhook secret as Bearer credentials, resolved notifications included. Grouped by alertname, tenant_id and service.
 * - A first child route without matchers sends every alert to `caas-backend` and continues, so incidents, escalation
 *   and the channels' pages always happen in the backend.
 * - One child route per tenant with enabled channels (`tenant_id="<t>"`), and one for the platform's own alerts
 *   (`tenant_id=""`) when platform channels exist, to a receiver `tenant-<t>` / `platform` holding the channels the
 *   operator chose to let Alertmanager page itself (`settings.alertmanager`): slack_configs, pagerduty_configs and
 *   email_configs. Their secrets are never written here: Slack's URL and PagerDuty's routing key are read from files
 *   (`api_url_file`, `routing_key_file` under `secretsDir/<channel id>`) the operator provisions.
 * - Inhibition: a critical alert mutes warnings of the same alertname, tenant_id and service.
 */
export interface AmChannel {
  id: string;
  tenant_id: string | null;
  kind: ChannelKind;
  name: string;
  enabled: boolean;
  settings: { to?: string[]; alertmanager?: boolean };
}

export interface AmConfigOptions {
  /** PUBLIC_URL: where Alertmanager reaches the backend */
  publicUrl: string;
  /** ALERTMANAGER_WEBHOOK_SECRET; without it, the credentials are read from `webhookSecretFile` */
  webhookSecret: string | undefined;
  webhookSecretFile?: string;
  /** where the operator puts each natively paged channel's secret, one file per channel id */
  secretsDir?: string;
  /** for email_configs: the SMTP server (host:port) and sender; without it, email channels are left to the backend */
  smtp?: { smarthost: string; from: string; requireTls: boolean };
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  maxAlerts?: number;
}

export const BACKEND_RECEIVER = 'caas-backend';
export const GROUP_BY = ['alertname', 'tenant_id', 'service'];

/** A matcher as Alertmanager's parser reads it: the value double-quoted, with exactly the escapes it knows (`\\`, `\"`, `\n`). */
export function matcher(name: string, value: string): string {
  return `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Text inside a Go template (Alertmanager's notification fields are templates): a string literal, so `{{` stays text. */
export function templateLiteral(s: string): string {
  return `{{ ${JSON.stringify(s)} }}`;
}

const NATIVE: readonly ChannelKind[] = ['slack', 'pagerduty', 'email'];

export function alertmanagerConfig(channels: AmChannel[], o: AmConfigOptions): string {
  const secretsDir = (o.secretsDir ?? '/etc/alertmanager/caas-secrets').replace(/\/+$/, '');
  const enabled = channels.filter((c) => c.enabled);
  const authorization: Record<string, YamlValue> = { type: 'Bearer' };
  if (o.webhookSecret) {
    authorization.credentials = o.webhookSecret;
  } else {
    authorization.credentials_file = o.webhookSecretFile ?? '/etc/alertmanager/caas-webhook-secret';
  }
  const receivers: YamlValue[] = [
    {
      name: BACKEND_RECEIVER,
      webhook_configs: [
        {
          url: `${o.publicUrl.replace(/\/+$/, '')}/v1/alertmanager/webhook`,
          send_resolved: true,
          max_alerts: o.maxAlerts ?? 0,
          http_config: { authorization },
        },
      ],
    },
  ];
  const routes: YamlValue[] = [{ receiver: BACKEND_RECEIVER, continue: true }];

  const owners = [...new Set(enabled.map((c) => c.tenant_id))].sort((a, b) => (a === null ? -1 : b === null ? 1 : a < b ? -1 : a > b ? 1 : 0));
  for (const owner of owners) {
    const mine = enabled.filter((c) => c.tenant_id === owner && c.settings.alertmanager === true && NATIVE.includes(c.kind));
    const name = owner === null ? 'platform' : `tenant-${owner}`;
    const r: Record<string, YamlValue> = { name };
    const slack = mine.filter((c) => c.kind === 'slack');
    const pd = mine.filter((c) => c.kind === 'pagerduty');
    const email = o.smtp ? mine.filter((c) => c.kind === 'email' && (c.settings.to?.length ?? 0) > 0) : [];
    if (slack.length) {
      r.slack_configs = slack.map((c) => ({ api_url_file: `${secretsDir}/${c.id}`, send_resolved: true, footer: templateLiteral(`CAAS Observatory · ${c.name}`) }));
    }
    if (pd.length) {
      r.pagerduty_configs = pd.map((c) => ({ routing_key_file: `${secretsDir}/${c.id}`, send_resolved: true, client: templateLiteral(`CAAS Observatory · ${c.name}`) }));
    }
    if (email.length && o.smtp) {
      const smtp = o.smtp;
      r.email_configs = email.map((c) => ({
        to: (c.settings.to ?? []).join(', '),
        from: smtp.from,
        smarthost: smtp.smarthost,
        require_tls: smtp.requireTls,
        send_resolved: true,
        headers: { 'X-Caas-Channel': templateLiteral(c.name) },
      }));
    }
    receivers.push(r);
    routes.push({ receiver: name, matchers: [matcher('tenant_id', owner ?? '')] });
  }

  const doc: Record<string, YamlValue> = {
    global: { resolve_timeout: '5m' },
    route: {
      receiver: BACKEND_RECEIVER,
      group_by: GROUP_BY,
      group_wait: o.groupWait ?? '30s',
      group_interval: o.groupInterval ?? '5m',
      repeat_interval: o.repeatInterval ?? '4h',
      routes,
    },
    receivers,
    inhibit_rules: [{ source_matchers: [matcher('severity', 'critical')], target_matchers: [matcher('severity', 'warning')], equal: GROUP_BY }],
  };
  return `# Generated by CAAS Observatory (GET /v1/alerts/alertmanager.yml) from its alert channels.\n${toYaml(doc)}`;
}
