import type { Logger } from 'pino';
import type { OutboundMessage } from '../../delivery/message.js';
import { CaasError } from '../../errors.js';
import type { Notifier, Page, PageOutcome, StateChange } from '../incidents/escalation.js';
import type { OnCallDirectory, Responder } from '../oncall/directory.js';
import { emailMessage, SLACK_MEMBER_ID, slackBody, twilioMessage } from './messages.js';
import type { ChannelSend, ChannelService } from './service.js';

/**
 * Pages through the alert channels (issue "Alert management", item 6):
 * - a `channel` target pages every enabled channel of its kind for the incident's tenant (the tenant's own, else the
 *   platform's), or the one named by `channel_id`; an `address` (email, webhook URL) is sent to directly, as before;
 * - a `user` target is looked up in the on-call directory: emailed when it has an address and, when the step is
 *   important and it has a phone and an SMS channel exists, texted with that channel's provider; with a Slack member id
 *   and a Slack channel, mentioned there;
 * - a `schedule` target pages whoever is on call in it now, the same way;
 * - whoever acknowledged (a reminder) has no contact address when it is an API key: recorded.
 * What cannot be sent is `recorded`, with the reason. Acknowledge and resolve tell the PagerDuty channels that were
 * triggered for the incident (`onStateChange`).
 */
export class ChannelNotifier implements Notifier {
  private readonly log: Logger;

  constructor(
    private readonly channels: ChannelService,
    log: Logger,
    private readonly directory?: OnCallDirectory,
    private readonly now: () => Date = () => new Date()
  ) {
    this.log = log.child({ component: 'channel-notifier' });
  }

  async page(p: Page): Promise<PageOutcome> {
    try {
      return await this.route(p);
    } catch (e) {
      if (!(e instanceof CaasError)) {
        this.log.warn({ err: e, incident: p.incident.id }, 'page not queued');
      }
      return { status: 'failed', delivery_id: null, note: e instanceof Error ? e.message : String(e) };
    }
  }

  private async route(p: Page): Promise<PageOutcome> {
    const t = p.target;
    const tenant = p.incident.tenant_id;
    const recorded = (why: string): PageOutcome => ({ status: 'recorded', delivery_id: null, note: `recorded, not sent: ${why}` });
    if (t.type === 'channel') {
      if (t.address && (t.channel === 'email' || t.channel === 'webhook')) {
        const n = await this.channels.notice(p.incident, 'trigger', { important: p.important, reason: p.reason, linkFor: t.address });
        const message = t.channel === 'email' ? emailMessage([t.address], n) : { kind: 'webhook' as const, url: t.address, body: { ...webhookCompat(p), links: n.links } };
        const d = await this.channels.deliver(message, tenant, p.key);
        return { status: 'queued', delivery_id: d.id, note: `${t.channel} to ${t.channel === 'email' ? t.address : 'the target address'} queued` };
      }
      const targets = await this.channels.forIncident(t.channel, tenant, t.channel_id);
      if (targets.length === 0) {
        return recorded(
          t.channel_id
            ? `channel '${t.channel_id}' is not an enabled ${t.channel} channel of ${tenant ? `tenant '${tenant}' or ` : ''}the platform`
            : `no enabled ${t.channel} channel for ${tenant ? `tenant '${tenant}' or ` : ''}the platform: add one with POST /v1/alerts/channels`
        );
      }
      const sends: ChannelSend[] = [];
      for (const c of targets) {
        const n = await this.channels.notice(p.incident, 'trigger', { important: p.important, reason: p.reason, linkFor: c.name });
        sends.push(await this.channels.send(c, tenant, n, p.key));
      }
      return outcomeOf(sends);
    }
    if (t.type === 'acknowledger') {
      return recorded(`${t.actor.name ?? t.actor.id ?? t.actor.type} acknowledged with an API key or a link, which has no contact address`);
    }
    if (!this.directory) {
      return recorded(`${t.type}s need the on-call directory (alerts/oncall), which this backend does not have`);
    }
    let people: Responder[];
    if (t.type === 'user') {
      const r = await this.directory.responder(t.user, tenant);
      if (!r) {
        return recorded(`user '${t.user}' is not a responder of ${tenant ? `tenant '${tenant}' or ` : ''}the platform`);
      }
      people = [r];
    } else {
      const on = await this.directory.onCall(t.schedule, this.now(), tenant);
      if (on === undefined) {
        return recorded(`schedule '${t.schedule}' does not exist for ${tenant ? `tenant '${tenant}'` : 'the platform'}`);
      }
      if (on.length === 0) {
        return recorded(`nobody is on call in schedule '${t.schedule}' now`);
      }
      people = on;
    }
    const sends: ChannelSend[] = [];
    const notes: string[] = [];
    for (const person of people) {
      const got = await this.pagePerson(p, person);
      sends.push(...got.sends);
      notes.push(...got.notes);
    }
    const o = outcomeOf(sends);
    return o.status === 'recorded' ? recorded(notes.join('; ') || 'no contact method') : { ...o, note: [o.note, ...notes].join('; ') };
  }

  private async pagePerson(p: Page, person: Responder): Promise<{ sends: ChannelSend[]; notes: string[] }> {
    const tenant = p.incident.tenant_id;
    const sends: ChannelSend[] = [];
    const notes: string[] = [];
    const notice = (important: boolean) => this.channels.notice(p.incident, 'trigger', { important, reason: p.reason, linkFor: person.name });
    /** One message to the person by `kind`, recorded as a send of the pseudo-channel `responder:<id>`. */
    const deliver = async (kind: 'email' | 'sms' | 'slack', message: OutboundMessage) => {
      const channel = { id: `responder:${person.id}`, kind, name: person.name };
      try {
        sends.push({ channel, deliveries: [await this.channels.deliver(message, tenant, `${p.key}:user:${person.id}:${kind}`)], error: null });
      } catch (e) {
        sends.push({ channel, deliveries: [], error: (e as Error).message });
      }
    };
    if (person.email) {
      await deliver('email', emailMessage([person.email], await notice(p.important)));
    } else {
      notes.push(`${person.name} has no email address`);
    }
    if (p.important) {
      const sms = person.phone ? (await this.channels.forIncident('sms', tenant))[0] : undefined;
      if (!person.phone) {
        notes.push(`${person.name} has no phone number to text`);
      } else if (!sms) {
        notes.push(`no SMS channel to text ${person.name} with`);
      } else {
        await deliver('sms', twilioMessage('sms', sms.settings, sms.secret, person.phone, await notice(true)));
      }
    }
    // with a Slack member id and a Slack channel of the incident's tenant (or the platform's): a message that mentions them
    if (person.slack_user_id && SLACK_MEMBER_ID.test(person.slack_user_id)) {
      const slack = (await this.channels.forIncident('slack', tenant))[0];
      if (!slack?.secret.webhook_url) {
        notes.push(`no Slack channel to mention ${person.name} in`);
      } else {
        await deliver('slack', { kind: 'webhook', url: slack.secret.webhook_url, body: slackBody({ ...(await notice(p.important)), mention: person.slack_user_id }) });
      }
    }
    return { sends, notes };
  }

  /** Acknowledge and resolve tell each PagerDuty channel that was triggered for the incident. */
  async onStateChange(c: StateChange): Promise<void> {
    const pd = await this.channels.triggeredPagerDuty(c.incident.id);
    for (const target of pd) {
      const n = await this.channels.notice(c.incident, c.action, { important: false, reason: 'state', linkFor: target.name });
      const sent = await this.channels.send(target, c.incident.tenant_id, n, c.key);
      if (sent.error) {
        this.log.warn({ incident: c.incident.id, channel: target.id, error: sent.error }, `PagerDuty ${c.action} not queued`);
      }
    }
  }
}

/** The body the address-only webhook target always had, kept for receivers built on it. */
function webhookCompat(p: Page): Record<string, unknown> {
  return { incident: p.incident, important: p.important, reason: p.reason };
}

function outcomeOf(sends: ChannelSend[]): PageOutcome {
  const queued = sends.filter((s) => s.deliveries.length > 0);
  const failed = sends.filter((s) => s.error !== null);
  const first = queued[0]?.deliveries[0]?.id ?? null;
  const parts = [
    ...queued.map((s) => `${s.channel.kind} '${s.channel.name}' queued (${s.deliveries.map((d) => d.id).join(', ')})`),
    ...failed.map((s) => `${s.channel.kind} '${s.channel.name}' failed: ${s.error}`),
  ];
  if (queued.length > 0) {
    return { status: 'queued', delivery_id: first, note: parts.join('; ') };
  }
  if (failed.length > 0) {
    return { status: 'failed', delivery_id: null, note: parts.join('; ') };
  }
  return { status: 'recorded', delivery_id: null, note: 'recorded, not sent: nothing to send' };
}
