import type { MetadataDb } from './metadata-db.js';

/**
 * Versioned PostgreSQL migrations, the same SQL for PGlite and a PostgreSQL server.
 * They run at start inside one transaction each, under an advisory lock so several
 * backend instances starting together apply each migration once.
 */
export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATION_LOCK = 7_201_771; // arbitrary, constant: "caas migrations"

export const PG_MIGRATIONS: PgMigration[] = [
  {
    version: 1,
    name: 'tenants, api keys, dead letters',
    sql: `
      CREATE TABLE IF NOT EXISTS tenants (
        id text PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE IF NOT EXISTS api_keys (
        id text PRIMARY KEY,
        key_hash text NOT NULL UNIQUE,
        tenant_id text REFERENCES tenants(id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('admin', 'tenant-admin', 'tenant-viewer', 'ingest')),
        name text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CHECK ((role = 'admin') = (tenant_id IS NULL))
      );
      CREATE INDEX IF NOT EXISTS api_keys_tenant ON api_keys (tenant_id);
      CREATE TABLE IF NOT EXISTS dead_letters (
        id bigserial PRIMARY KEY,
        tenant_id text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        reason text NOT NULL,
        payload text NOT NULL,
        request_id text,
        replayed_at timestamptz,
        replay_count integer NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS dead_letters_tenant ON dead_letters (tenant_id, id DESC);
    `,
  },
  {
    version: 2,
    name: 'viewer role (reads every tenant); dead letters keep where a stored-side rejection came from',
    sql: `
      ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_role_check;
      ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_check;
      ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('admin', 'viewer', 'tenant-admin', 'tenant-viewer', 'ingest'));
      ALTER TABLE api_keys ADD CONSTRAINT api_keys_scope_check CHECK ((role IN ('admin', 'viewer')) = (tenant_id IS NULL));
      ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS origin text;
      CREATE UNIQUE INDEX IF NOT EXISTS dead_letters_origin ON dead_letters (origin) WHERE origin IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: 'jobs: leases, progress, run log; cron schedules and their firings; storage reports (issue "Platform", part 2)',
    sql: `
      CREATE TABLE IF NOT EXISTS jobs (
        id uuid PRIMARY KEY,
        kind text NOT NULL,
        tenant_id text,
        payload jsonb NOT NULL DEFAULT '{}'::jsonb,
        dedup_key text,
        state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL DEFAULT 5 CHECK (max_attempts >= 1),
        run_after timestamptz NOT NULL DEFAULT now(),
        lease_owner text,
        lease_until timestamptz,
        progress_done bigint NOT NULL DEFAULT 0,
        progress_total bigint,
        progress_message text,
        last_error text,
        schedule_name text,
        fire_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      );
      CREATE UNIQUE INDEX IF NOT EXISTS jobs_dedup ON jobs (kind, dedup_key) WHERE dedup_key IS NOT NULL AND state IN ('queued', 'running');
      CREATE INDEX IF NOT EXISTS jobs_due ON jobs (run_after) WHERE state = 'queued';
      CREATE INDEX IF NOT EXISTS jobs_leases ON jobs (lease_until) WHERE state = 'running';
      CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at DESC);
      CREATE INDEX IF NOT EXISTS jobs_tenant ON jobs (tenant_id, created_at DESC);
      CREATE INDEX IF NOT EXISTS jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
      CREATE TABLE IF NOT EXISTS job_log (
        id bigserial PRIMARY KEY,
        job_id uuid NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        attempt integer NOT NULL,
        level text NOT NULL,
        message text NOT NULL
      );
      CREATE INDEX IF NOT EXISTS job_log_job ON job_log (job_id, id);
      CREATE TABLE IF NOT EXISTS job_schedules (
        name text PRIMARY KEY,
        cron text NOT NULL,
        timezone text NOT NULL,
        kind text NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}'::jsonb,
        tenant_id text,
        enabled boolean NOT NULL DEFAULT true,
        anchor_at timestamptz NOT NULL,
        last_fire_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE IF NOT EXISTS job_schedule_firings (
        schedule_name text NOT NULL REFERENCES job_schedules(name) ON DELETE CASCADE,
        fire_at timestamptz NOT NULL,
        job_id uuid,
        claimed_by text NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (schedule_name, fire_at)
      );
      CREATE TABLE IF NOT EXISTS storage_reports (
        id bigserial PRIMARY KEY,
        job_id uuid,
        taken_at timestamptz NOT NULL DEFAULT now(),
        report jsonb NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'webhook secrets, signing keys and signed links',
    sql: `
      CREATE TABLE IF NOT EXISTS webhook_secrets (
        id text PRIMARY KEY,
        name text NOT NULL,
        secret_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz
      );
      CREATE INDEX IF NOT EXISTS webhook_secrets_live ON webhook_secrets (name) WHERE revoked_at IS NULL;
      CREATE TABLE IF NOT EXISTS signing_keys (
        kid text PRIMARY KEY,
        secret text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz
      );
      CREATE TABLE IF NOT EXISTS signed_links (
        id text PRIMARY KEY,
        tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        path text NOT NULL,
        kid text NOT NULL REFERENCES signing_keys(kid),
        expires_at timestamptz NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
      CREATE INDEX IF NOT EXISTS signed_links_tenant ON signed_links (tenant_id, created_at DESC);
    `,
  },
  {
    version: 5,
    name: 'per-tenant event rate buckets shared by every instance',
    sql: `
      CREATE TABLE IF NOT EXISTS tenant_rate_buckets (
        tenant_id text PRIMARY KEY,
        tokens double precision NOT NULL,
        at timestamptz NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: 'delivery log: outbound email and webhooks, one per (tenant, idempotency key) (issue "Platform", part 3)',
    sql: `
      CREATE TABLE IF NOT EXISTS deliveries (
        id text PRIMARY KEY,
        tenant_id text,
        idempotency_key text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('email', 'webhook')),
        destination text NOT NULL,
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        response_status integer,
        job_id uuid,
        message jsonb,
        not_before timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      );
      CREATE UNIQUE INDEX IF NOT EXISTS deliveries_key ON deliveries ((COALESCE(tenant_id, '')), idempotency_key);
      CREATE INDEX IF NOT EXISTS deliveries_tenant ON deliveries (tenant_id, created_at DESC);
      CREATE INDEX IF NOT EXISTS deliveries_created ON deliveries (created_at DESC);
      CREATE INDEX IF NOT EXISTS deliveries_orphans ON deliveries (created_at) WHERE status = 'queued' AND job_id IS NULL;
    `,
  },
  {
    version: 7,
    name: 'search: documents per (entity, tenant, generation) with a generated tsvector, live/building generations, a trigram vocabulary per tenant (issue "Crawler and search")',
    sql: `
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      CREATE TABLE IF NOT EXISTS search_docs (
        entity text NOT NULL,
        tenant_id text NOT NULL,
        generation bigint NOT NULL,
        id text NOT NULL,
        conversation_id text,
        sender_id text,
        type text,
        created_at bigint NOT NULL,
        updated_at bigint,
        doc jsonb NOT NULL,
        title text NOT NULL DEFAULT '',
        body text NOT NULL DEFAULT '',
        tsv tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('simple'::regconfig, title), 'A') || setweight(to_tsvector('simple'::regconfig, body), 'B')
        ) STORED,
        PRIMARY KEY (tenant_id, entity, generation, id)
      );
      CREATE INDEX IF NOT EXISTS search_docs_tsv ON search_docs USING gin (tsv);
      CREATE INDEX IF NOT EXISTS search_docs_time ON search_docs (tenant_id, entity, generation, created_at DESC);
      CREATE TABLE IF NOT EXISTS search_generations (
        tenant_id text NOT NULL,
        entity text NOT NULL,
        live bigint NOT NULL,
        building bigint,
        swapped_at timestamptz,
        PRIMARY KEY (tenant_id, entity)
      );
      CREATE TABLE IF NOT EXISTS search_terms (
        tenant_id text NOT NULL,
        term text NOT NULL,
        PRIMARY KEY (tenant_id, term)
      );
      CREATE INDEX IF NOT EXISTS search_terms_trgm ON search_terms USING gin (term gin_trgm_ops);
    `,
  },
  {
    version: 8,
    name: 'crawler: sources (secrets never leave through the API) and a cursor per (source, entity, tenant) (issue "Crawler and search")',
    sql: `
      CREATE TABLE IF NOT EXISTS crawl_sources (
        id text PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('caas_http', 'postgres')),
        url text,
        connection_string text,
        token text,
        rate_limit_per_s double precision,
        incremental_cron text NOT NULL DEFAULT '* * * * *',
        deletions_cron text NOT NULL DEFAULT '*/5 * * * *',
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE IF NOT EXISTS crawl_cursors (
        source_id text NOT NULL REFERENCES crawl_sources(id) ON DELETE CASCADE,
        entity text NOT NULL,
        tenant_id text NOT NULL,
        updated_at bigint,
        last_id text,
        deleted_since bigint,
        indexed bigint NOT NULL DEFAULT 0,
        last_full_at timestamptz,
        last_run_at timestamptz,
        last_error text,
        PRIMARY KEY (source_id, entity, tenant_id)
      );
    `,
  },
  {
    version: 9,
    name: 'search quota: one token bucket per tenant, shared by every instance (issue "Crawler and search", item 4)',
    sql: `
      CREATE TABLE IF NOT EXISTS search_quota_buckets (
        tenant_id text PRIMARY KEY,
        tokens double precision NOT NULL,
        at timestamptz NOT NULL
      );
    `,
  },
  {
    version: 10,
    name: 'alerts: metric rules (PromQL, rendered into the Prometheus rule file) and the packs seeded once (issue "Alert management", item 1)',
    sql: `
      CREATE TABLE IF NOT EXISTS metric_rules (
        id text PRIMARY KEY,
        name text NOT NULL,
        tenant_id text REFERENCES tenants(id) ON DELETE CASCADE,
        rule_group text NOT NULL,
        expr text NOT NULL,
        for_duration text NOT NULL,
        severity text NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
        labels jsonb NOT NULL DEFAULT '{}'::jsonb,
        summary text NOT NULL,
        description text NOT NULL DEFAULT '',
        runbook_url text,
        enabled boolean NOT NULL DEFAULT true,
        origin text NOT NULL DEFAULT 'custom' CHECK (origin IN ('standard', 'custom')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS metric_rules_tenant ON metric_rules (tenant_id);
      CREATE TABLE IF NOT EXISTS metric_rule_packs (
        name text PRIMARY KEY,
        seeded_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 11,
    name: 'alerts: event rules over ClickHouse events, the state of their alerts (pending, firing, resolved) and the ruler\'s runs (issue "Alert management", item 1)',
    sql: `
      CREATE TABLE IF NOT EXISTS event_rules (
        id text PRIMARY KEY,
        name text NOT NULL,
        tenant_id text REFERENCES tenants(id) ON DELETE CASCADE,
        query_window text NOT NULL,
        queries jsonb NOT NULL,
        condition jsonb NOT NULL,
        for_duration text NOT NULL,
        keep_firing_for text NOT NULL,
        eval_interval text NOT NULL,
        severity text NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
        labels jsonb NOT NULL DEFAULT '{}'::jsonb,
        summary text NOT NULL,
        description text NOT NULL DEFAULT '',
        runbook_url text,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS event_rules_tenant ON event_rules (tenant_id);
      CREATE TABLE IF NOT EXISTS event_rule_alerts (
        rule_id text NOT NULL,
        tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        fingerprint text NOT NULL,
        labels jsonb NOT NULL,
        annotations jsonb NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),
        value double precision,
        active_at timestamptz NOT NULL,
        fired_at timestamptz,
        keep_firing_since timestamptz,
        resolved_at timestamptz,
        last_sent_at timestamptz,
        delivered text CHECK (delivered IN ('firing', 'resolved')),
        PRIMARY KEY (rule_id, tenant_id, fingerprint)
      );
      CREATE INDEX IF NOT EXISTS event_rule_alerts_tenant ON event_rule_alerts (tenant_id, state);
      CREATE TABLE IF NOT EXISTS event_rule_evaluations (
        rule_id text PRIMARY KEY,
        evaluated_at timestamptz NOT NULL,
        duration_ms integer NOT NULL,
        errors jsonb NOT NULL DEFAULT '{}'::jsonb
      );
      CREATE TABLE IF NOT EXISTS ruler_runs (
        id integer PRIMARY KEY CHECK (id = 1),
        run_at timestamptz NOT NULL,
        duration_ms integer NOT NULL,
        rules_evaluated integer NOT NULL,
        alerts_sent integer NOT NULL,
        error text,
        instance text NOT NULL
      );
    `,
  },
  {
    version: 12,
    name: 'alerts: incidents from Alertmanager notifications (each stored whole before it is answered), their alerts and timeline; escalation policies (issue "Alert management", items 3 and 4)',
    sql: `
      CREATE TABLE IF NOT EXISTS alert_notifications (
        id bigserial PRIMARY KEY,
        group_key text NOT NULL,
        via text NOT NULL CHECK (via IN ('alertmanager', 'ruler')),
        receiver text NOT NULL,
        status text NOT NULL,
        digest text NOT NULL,
        payload text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        last_received_at timestamptz NOT NULL DEFAULT now(),
        repeats integer NOT NULL DEFAULT 0,
        applied_at timestamptz,
        apply_error text
      );
      CREATE INDEX IF NOT EXISTS alert_notifications_group ON alert_notifications (group_key, id DESC);
      CREATE INDEX IF NOT EXISTS alert_notifications_unapplied ON alert_notifications (id) WHERE applied_at IS NULL;
      CREATE TABLE IF NOT EXISTS escalation_policies (
        id text PRIMARY KEY,
        name text NOT NULL,
        tenant_id text REFERENCES tenants(id) ON DELETE CASCADE,
        is_default boolean NOT NULL DEFAULT false,
        steps jsonb NOT NULL,
        repeat_times integer NOT NULL DEFAULT 0,
        repeat_after_minutes integer NOT NULL DEFAULT 15,
        reminder_minutes integer,
        origin text NOT NULL DEFAULT 'custom' CHECK (origin IN ('standard', 'custom')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX IF NOT EXISTS escalation_policies_default ON escalation_policies ((coalesce(tenant_id, ''))) WHERE is_default;
      CREATE TABLE IF NOT EXISTS incidents (
        id text PRIMARY KEY,
        seq bigserial UNIQUE,
        group_key text NOT NULL,
        tenant_id text,
        tenant_key text NOT NULL,
        state text NOT NULL CHECK (state IN ('triggered', 'acknowledged', 'resolved')),
        title text NOT NULL,
        severity text NOT NULL,
        service text,
        summary text,
        description text,
        runbook_url text,
        labels jsonb NOT NULL DEFAULT '{}'::jsonb,
        annotations jsonb NOT NULL DEFAULT '{}'::jsonb,
        via text NOT NULL,
        receiver text NOT NULL,
        external_url text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        acknowledged_at timestamptz,
        acknowledged_by jsonb,
        resolved_at timestamptz,
        resolved_by jsonb,
        snoozed_until timestamptz,
        postmortem text,
        postmortem_at timestamptz,
        postmortem_by jsonb,
        escalation_policy_id text,
        escalation_generation integer NOT NULL DEFAULT 0,
        escalation_next_pass integer,
        escalation_next_step integer,
        escalation_next_at timestamptz,
        escalation_job_id text
      );
      CREATE UNIQUE INDEX IF NOT EXISTS incidents_open ON incidents (group_key, tenant_key) WHERE state <> 'resolved';
      CREATE INDEX IF NOT EXISTS incidents_tenant ON incidents (tenant_id, seq DESC);
      CREATE TABLE IF NOT EXISTS incident_alerts (
        incident_id text NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
        fingerprint text NOT NULL,
        status text NOT NULL CHECK (status IN ('firing', 'resolved')),
        labels jsonb NOT NULL,
        annotations jsonb NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz,
        generator_url text NOT NULL,
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incident_id, fingerprint)
      );
      CREATE INDEX IF NOT EXISTS incident_alerts_fingerprint ON incident_alerts (fingerprint);
      CREATE TABLE IF NOT EXISTS incident_events (
        id bigserial PRIMARY KEY,
        incident_id text NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
        at timestamptz NOT NULL DEFAULT now(),
        kind text NOT NULL,
        actor jsonb NOT NULL,
        message text NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}'::jsonb,
        notification_id bigint REFERENCES alert_notifications(id) ON DELETE SET NULL,
        delivery_id text,
        once_key text
      );
      CREATE INDEX IF NOT EXISTS incident_events_incident ON incident_events (incident_id, id);
      CREATE UNIQUE INDEX IF NOT EXISTS incident_events_once ON incident_events (incident_id, once_key) WHERE once_key IS NOT NULL;
      CREATE TABLE IF NOT EXISTS escalation_packs (
        name text PRIMARY KEY,
        seeded_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 13,
    name: 'search: the (tenant, entity, generation, time) index carries the type, so a query without words counts its facets from the index alone (bench/search)',
    sql: `
      CREATE INDEX IF NOT EXISTS search_docs_time_type ON search_docs (tenant_id, entity, generation, created_at DESC) INCLUDE (type);
      DROP INDEX IF EXISTS search_docs_time;
    `,
  },
  {
    version: 14,
    name: 'alert channels (email, Slack, PagerDuty, SMS, phone, webhook; secrets sealed) and the deliveries each channel made',
    sql: `
      CREATE TABLE IF NOT EXISTS alert_channels (
        id text PRIMARY KEY,
        tenant_id text REFERENCES tenants(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('email', 'slack', 'pagerduty', 'sms', 'phone', 'webhook')),
        name text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        settings jsonb NOT NULL DEFAULT '{}'::jsonb,
        secret text,
        secret_hint text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS alert_channels_tenant ON alert_channels (tenant_id, kind);
      CREATE TABLE IF NOT EXISTS channel_deliveries (
        delivery_id text PRIMARY KEY REFERENCES deliveries(id) ON DELETE CASCADE,
        channel_id text NOT NULL REFERENCES alert_channels(id) ON DELETE CASCADE,
        incident_id text,
        event text NOT NULL,
        test boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS channel_deliveries_channel ON channel_deliveries (channel_id, created_at DESC);
      CREATE INDEX IF NOT EXISTS channel_deliveries_incident ON channel_deliveries (incident_id) WHERE incident_id IS NOT NULL;
    `,
  },
  {
    version: 15,
    name: 'alerts: on-call responders, schedules (layers, an imported iCal feed) and overrides (issue "Alert management", item 5)',
    sql: `
      CREATE TABLE IF NOT EXISTS oncall_responders (
        id text PRIMARY KEY,
        tenant_id text REFERENCES tenants(id) ON DELETE CASCADE,
        name text NOT NULL,
        email text,
        phone text,
        slack_user_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS oncall_responders_tenant ON oncall_responders (tenant_id, name);
      CREATE TABLE IF NOT EXISTS oncall_schedules (
        id text PRIMARY KEY,
        tenant_id text REFERENCES tenants(id) ON DELETE CASCADE,
        name text NOT NULL,
        time_zone text NOT NULL,
        layers jsonb NOT NULL DEFAULT '[]'::jsonb,
        ical jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS oncall_schedules_tenant ON oncall_schedules (tenant_id, name);
      CREATE TABLE IF NOT EXISTS oncall_overrides (
        id text PRIMARY KEY,
        schedule_id text NOT NULL REFERENCES oncall_schedules(id) ON DELETE CASCADE,
        responder_id text NOT NULL REFERENCES oncall_responders(id) ON DELETE CASCADE,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
        note text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS oncall_overrides_schedule ON oncall_overrides (schedule_id, starts_at);
    `,
  },
  {
    version: 16,
    name: 'responder role: a viewer that acts on incidents and silences (what Grafana Editor routes inject); global like admin and viewer',
    sql: `
      ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_role_check;
      ALTER TABLE api_keys DROP CONSTRAINT IF EXISTS api_keys_scope_check;
      ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('admin', 'viewer', 'responder', 'tenant-admin', 'tenant-viewer', 'ingest'));
      ALTER TABLE api_keys ADD CONSTRAINT api_keys_scope_check CHECK ((role IN ('admin', 'viewer', 'responder')) = (tenant_id IS NULL));
    `,
  },
];

export async function migratePostgres(db: MetadataDb): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version));
    const applied: number[] = [];
    for (const m of PG_MIGRATIONS) {
      if (done.has(m.version)) {
        continue;
      }
      for (const stmt of m.sql.split(/;\s*\n/).map((s) => s.trim()).filter(Boolean)) {
        await tx.query(stmt);
      }
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}
