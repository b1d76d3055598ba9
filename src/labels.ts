import type { IconName } from '@grafana/data';
import type { DashboardId, OpsDashboardId } from './constants';
import type { FeatureId } from './routes';

/**
 * All UI text of the app in one place (as grafana/clickhouse-datasource does), so wording stays consistent and the
 * tests can assert on the same strings the user reads.
 */
export const labels = {
  app: {
    name: 'CAAS Observatory',
    loading: 'Loading…',
  },
  common: {
    retry: 'Retry',
  },
  /** Grafana's nav entries (plugin.json `includes`, built from src/routes.ts). */
  nav: {
    home: 'Home',
    analytics: 'Analytics',
    search: 'Search',
    crawler: 'Crawler',
    incidents: 'Incidents',
    configuration: 'Configuration',
  },
  /** The header every page shares: the tenant and the time range, both kept in the URL. */
  header: {
    tenant: {
      label: 'Tenant',
      tooltip:
        "Whose data the page shows. The app's read key sees every tenant; a tenant's own key sees only that tenant. Kept in the URL, so a copied link shows the same tenant.",
      all: 'All tenants',
      pick: 'Pick a tenant',
      listFailed: (title: string) => `Could not list the tenants: ${title} Type a tenant id instead, or retry.`,
      retry: 'Retry',
    },
    timeRange: 'Time range',
  },
  home: {
    title: 'CAAS Observatory',
    subtitle:
      'Product analytics, full-text search, SLAs, alerting and scheduled reports for your chat-as-a-service platform, in one Grafana app.',
    featuresTitle: 'What the suite offers',
    notBuilt: 'Not built yet',
    features: [
      {
        id: 'analytics',
        icon: 'chart-line',
        title: 'Analytics',
        description:
          'Message volume, active users, retention, funnels, cohorts and geography per tenant, answered by ClickHouse.',
        missing: '',
      },
      {
        id: 'search',
        icon: 'search',
        title: 'Search',
        description: 'Full-text search over messages, files, users and conversations, always scoped to one tenant.',
        missing:
          'Search: not built yet. It needs the crawler that reads messages, files, users and conversations into a search index, and the search API over that index.',
      },
      {
        id: 'sla',
        icon: 'heart-rate',
        title: 'SLA',
        description: 'SLOs with error budgets, multi-window burn-rate alerts and a status page per tenant.',
        missing:
          'SLA: not built yet. It needs SLO definitions, the jobs that compute error budgets and burn rates, and the status page.',
      },
      {
        id: 'alerts',
        icon: 'bell',
        title: 'Alerts',
        description:
          'Rules over events and metrics, routed through Alertmanager into incidents, escalations and on-call.',
        missing:
          'Alerts: not built yet. It needs alert rules and their evaluation, the Alertmanager webhook, incidents and on-call schedules.',
      },
      {
        id: 'reports',
        icon: 'file-alt',
        title: 'Reports',
        description: 'Scheduled PDF, Excel and CSV reports delivered by email, and signed share links that expire.',
        missing:
          'Reports: not built yet. It needs report definitions, the PDF, Excel and CSV renderers and email delivery; the signed share links exist in the backend already (/v1/links).',
      },
    ] satisfies ReadonlyArray<{ id: FeatureId; icon: IconName; title: string; description: string; missing: string }>,
    available: 'Open',
    dashboardsTitle: 'Dashboards',
    dashboardsHint:
      "Bundled with the app. If a link says the dashboard is not found, import it from the Dashboards tab of the app's Configuration page (or provision it, see dashboards/README.md).",
    openDashboardsTab: 'Import dashboards',
    dashboards: {
      usage: {
        title: 'Usage overview',
        description: 'Events per type, DAU/WAU/MAU and stickiness, platforms, app versions and countries.',
      },
      messages: {
        title: 'Message analytics',
        description: 'Message volume by type and platform, peak hours, top conversations and senders.',
      },
      users: {
        title: 'User activity & retention',
        description: 'Active users, the weekly retention matrix, cohorts and the login → message → file funnel.',
      },
      adoption: {
        title: 'Feature adoption',
        description: 'Adoption of calls, file sharing and voice messages; app version rollout.',
      },
      cost: {
        title: 'Cost tracking',
        description: 'Usage × a unit price per event type, per day and in total.',
      },
      search: {
        title: 'Search analytics',
        description: 'Search volume, latency p50/p95, popular queries and queries that found nothing.',
      },
    } satisfies Record<DashboardId, { title: string; description: string }>,
    opsDashboardsTitle: 'Operations',
    opsDashboardsHint:
      'The CAAS platform and this backend on Prometheus. Provisioned with a Prometheus data source (docker compose); elsewhere import dashboards/ops-*.json by hand (Dashboards → New → Import asks for the Prometheus).',
    opsDashboards: {
      platform: {
        title: 'Platform overview',
        description:
          'Service status, firing alerts, traffic, errors, p99 and error-budget burn, sockets, Kafka lag, nodes.',
      },
      socket: {
        title: 'Socket service',
        description: 'Connections, rooms, disconnects by reason, messages and delivery latency.',
      },
      gateway: {
        title: 'API gateway',
        description: 'Requests, errors and latency per route; sign-ins and token refreshes.',
      },
      kafka: {
        title: 'Kafka',
        description: 'Produce and consume rates, consumer lag by group and partition, replication.',
      },
      mongodb: { title: 'MongoDB', description: 'Operations, latency by class, connections and replication lag.' },
      alerts: {
        title: 'Alerts & incidents',
        description: 'Pending and firing alerts, open incidents, notifications and escalations.',
      },
      backend: {
        title: 'Backend health',
        description: 'Ingest rate, WAL backlog, batch latency, jobs and deliveries.',
      },
    } satisfies Record<OpsDashboardId, { title: string; description: string }>,
  },
  jobs: {
    title: 'Jobs',
    allTenants: "Every tenant's jobs and the platform's own (such as the nightly storage report), newest first.",
    oneTenant: (tenant: string) =>
      `Jobs of tenant ${tenant}, newest first. Platform-wide jobs (such as the nightly storage report) are listed under All tenants.`,
    refresh: 'Refresh',
    loading: 'Reading the jobs…',
    tabs: { recent: 'Recent', running: 'Running and waiting', failed: 'Failed' },
    empty: {
      all: 'No jobs yet.',
      allHint:
        'Jobs appear here when the nightly storage report runs or a large dead-letter replay starts (README, Jobs). If the storage report should have run by now, check that the backend was running at its scheduled time.',
      tenant: (tenant: string) => `No jobs for tenant ${tenant} yet.`,
      tenantHint:
        'Jobs that work for one tenant (such as a large dead-letter replay) appear here. Pick All tenants to see platform-wide jobs.',
      running: 'Nothing is running or waiting.',
      failed: 'No failed jobs.',
      failedHint: 'Finished jobs are kept for JOBS_RETENTION_DAYS days (a backend setting), then deleted.',
    },
    columns: {
      kind: 'Job',
      tenant: 'Tenant',
      state: 'State',
      progress: 'Progress',
      attempts: 'Attempts',
      created: 'Created',
      finished: 'Finished',
      open: '',
    },
    platform: 'platform',
    kinds: {
      'storage.report': 'Storage report',
      'dead_letters.replay': 'Dead-letter replay',
      'crawl.run': 'Crawl',
      'crawl.schedule': 'Scheduled crawls',
    } as Record<string, string>,
    states: {
      queued: 'waiting',
      running: 'running',
      succeeded: 'succeeded',
      failed: 'failed',
      cancelled: 'cancelled',
    },
    progress: (done: string, total: string | null, message: string | null) =>
      [total === null ? done : `${done} / ${total}`, message].filter(Boolean).join(' · '),
    open: 'Log',
    nextScheduled: 'Next scheduled',
    /** e.g. "Storage report, in 9 hours (2026-12-02 03:00:00)" */
    nextFiring: (kind: string, tenant: string | null, inTime: string, at: string) =>
      `${kind}${tenant ? ` for tenant ${tenant}` : ''}, ${inTime} (${at})`,
    nextNone: 'Nothing is scheduled: no enabled schedule on the backend has an upcoming firing.',
    nextNoneTenant: (tenant: string) =>
      `Nothing is scheduled for tenant ${tenant} or the platform: no enabled schedule has an upcoming firing.`,
    detail: {
      title: (kind: string) => `Job: ${kind}`,
      close: 'Close',
      loading: 'Reading the job and its log…',
      notFound:
        'This job is no longer there: finished jobs are deleted after JOBS_RETENTION_DAYS days. Close it and pick another.',
      id: 'Id',
      tenant: 'Tenant',
      state: 'State',
      attempts: 'Attempts',
      created: 'Created',
      started: 'Started',
      finished: 'Finished',
      progress: 'Progress',
      notYet: 'not yet',
      lastError: 'Last error',
      failedHint:
        'The job used up its attempts (or its input cannot succeed). The run log below says why; fix the cause, then run it again (a scheduled job runs at its next firing).',
      log: 'Run log (oldest first)',
      logEmpty: 'No log lines.',
      logColumns: { at: 'Time', attempt: 'Attempt', level: 'Level', message: 'Message' },
    },
  },
  /** The backend's cron schedules (GET /v1/schedules), as Jobs and Storage show their next firings. */
  schedules: {
    loading: 'Reading the schedules…',
    failed: (title: string) => `Could not read the schedules: ${title}`,
    seeBelow: 'What to do is below; its Retry asks for the schedules too.',
    tooOld: {
      title: 'this backend does not list its schedules (GET /v1/schedules).',
      hint: 'Update the backend to the version of the app.',
    },
  },
  storage: {
    title: 'Storage per tenant',
    hint: 'Rows and bytes on disk per tenant in the analytics store (ClickHouse), measured by a nightly job.',
    loading: 'Reading the storage report…',
    refresh: 'Refresh',
    empty: 'No storage report yet: the nightly storage job has not run on this backend.',
    emptyHint:
      'It runs on its schedule (Next run, above). A backend admin can take one now: POST /v1/storage/refresh with the admin key.',
    measured: (ago: string, at: string) => `Measured ${ago} (${at}).`,
    nextRun: 'Next run',
    /** e.g. "in 9 hours (2026-12-02 03:00:00), schedule "0 3 * * *" in UTC" */
    nextRunAt: (inTime: string, at: string, cron: string, timezone: string) =>
      `${inTime} (${at}), schedule "${cron}" in ${timezone}`,
    nextRunMissing:
      'Not scheduled: this backend has no storage report schedule. A backend admin can take a report now: POST /v1/storage/refresh with the admin key.',
    nextRunDisabled:
      'Not scheduled: the storage report schedule is disabled on this backend. A backend admin can take a report now: POST /v1/storage/refresh with the admin key.',
    nextRunUnknown: (cron: string, timezone: string) =>
      `Not known: the backend cannot tell when "${cron}" in ${timezone} fires next. Check STORAGE_REPORT_CRON and STORAGE_REPORT_TIMEZONE in its configuration.`,
    columns: {
      tenant: 'Tenant',
      rows: 'Event rows',
      bytes: 'On disk',
      share: 'Share of bytes',
      table: 'Table',
      tableRows: 'Rows',
    },
    totals: (tenants: string, rows: string, bytes: string) =>
      `${tenants} tenants: ${rows} event rows, ${bytes} on disk in all.`,
    tenantMissing: (tenant: string) =>
      `Tenant ${tenant} had no rows in the analytics store when this report was taken. If it sent events since, they show after the next run.`,
    tables: (tenant: string) => `Tables of tenant ${tenant}`,
  },
  /** The search experience: the Search page and the search panel (src/panels/search). */
  search: {
    subtitle:
      'Messages, files, people and conversations of one tenant, as the crawler indexed them. Misspelt words still match; "quoted phrases" match exactly, -word excludes.',
    placeholder: 'Search messages, files, people and conversations',
    inputLabel: 'Search',
    entities: {
      all: 'All',
      messages: 'Messages',
      files: 'Files',
      users: 'People',
      conversations: 'Conversations',
    } as Record<string, string>,
    sort: { label: 'Sort', relevance: 'Best match', time: 'Newest' },
    type: { label: 'Type', any: 'Any type' },
    filters: {
      conversation: (name: string) => `In ${name}`,
      sender: (name: string) => `From ${name}`,
      remove: (what: string) => `Remove filter: ${what}`,
      inConversation: 'Only this conversation',
      fromSender: 'Only from this person',
    },
    total: (n: number, ms?: number) =>
      `${n.toLocaleString('en-US')} ${n === 1 ? 'result' : 'results'}${ms === undefined ? '' : ` (${ms} ms)`}`,
    searching: 'Searching…',
    noTenant: {
      title: 'Pick a tenant to search',
      page: 'Search runs inside one tenant: pick one in the Tenant field above.',
      panel:
        'Search runs inside one tenant: add a dashboard variable named tenant, or set the Tenant option of this panel.',
    },
    noResults: {
      title: (q: string) => (q ? `No results for “${q}”` : 'Nothing found'),
      hint: 'Check the spelling, use fewer or other words, widen the time range or remove a filter.',
    },
    emptyIndex: {
      title: 'Nothing is indexed for this tenant in the time range',
      hint: 'Widen the time range, or crawl a source: the Crawler page starts one (or npx caas crawl --entity messages --tenant <id> --type full_reindex).',
      openCrawler: 'Open Crawler',
    },
    hit: {
      in: 'in',
      by: 'by',
      uploadedBy: 'uploaded by',
      members: (n: number) => `${n} ${n === 1 ? 'member' : 'members'}`,
      direct: 'Direct conversation',
      group: 'Group',
      unreadable: (error: string) => `Its text could not be read (${error}); found by its name.`,
      open: 'Download',
    },
    page: (page: number, pages: number) => `Page ${page} of ${pages}`,
  },
  /** The search panel's options (src/panels/search/module.tsx). */
  searchPanel: {
    tenant: {
      name: 'Tenant',
      description: 'The tenant searched: a dashboard variable such as $tenant, or a tenant id.',
    },
    entity: { name: 'Show first', description: 'The tab the panel opens on.' },
    sort: { name: 'Sort' },
    limit: { name: 'Results a page', description: '1 to 100.' },
    debounce: {
      name: 'Typing pause (ms)',
      description: 'How long typing must pause before the panel searches.',
    },
  },
  /** The Crawler page: sources, their cursors, the crawl buttons and the crawls with their live progress. */
  crawler: {
    subtitle:
      'Where search gets its documents: the sources crawled, a cursor per entity and tenant (how far each has read, its newest incremental crawl and deletion sync), and the crawls with their live progress.',
    viewerNotice: {
      title: 'Read-only: you are not an Admin of this Grafana organisation.',
      body: "Adding and removing sources, resetting cursors and starting crawls use the backend's admin key, which Grafana sends only for Admins. Ask an Admin, or run them on the backend's machine: npx caas sources add --id <id> --kind caas_http --source-url <url> --token <token>, npx caas crawl --entity messages --tenant acme --type incremental.",
    },
    adminOnly: 'Only a Grafana Admin can do this: Grafana sends the admin key for Admins only.',
    types: { full_reindex: 'Full reindex', incremental: 'Incremental', deleted: 'Deletion sync' },
    entities: { messages: 'Messages', files: 'Files', users: 'Users', conversations: 'Conversations' },
    sources: {
      title: 'Sources',
      hint: 'Each source is crawled on its schedules (incremental and deletion sync) for every entity and tenant it has a cursor for; a full reindex starts a cursor. Tokens and connection strings are never shown.',
      refresh: 'Refresh',
      loading: 'Reading the sources…',
      empty: 'No sources yet.',
      emptyHintAdmin:
        "Add one below, or on the backend's machine: npx caas sources add --id caas --kind caas_http --source-url https://caas.example.com/caas/v1 --token … (npm start -- --demo registers the demo CAAS platform as source demo).",
      emptyHintViewer:
        "A Grafana Admin adds one on this page, or on the backend's machine: npx caas sources add --id caas --kind caas_http --source-url https://caas.example.com/caas/v1 --token … (npm start -- --demo registers the demo CAAS platform as source demo).",
      add: 'Add a source',
      added: (id: string) =>
        `Source ${id} added. Start a full reindex for each tenant: its schedules crawl only the entities and tenants it has a cursor for.`,
      heading: (id: string) => `Source ${id}`,
      kinds: { caas_http: 'CAAS HTTP API', postgres: 'PostgreSQL tables' },
      facts: {
        kind: 'Kind',
        url: 'URL',
        token: 'Token',
        connection: 'Connection string',
        rateLimit: 'Rate limit',
        schedules: 'Schedules',
        created: 'Added',
      },
      secretSet: 'set (never shown)',
      secretNone: 'none',
      rateDefault: "the source's default",
      rate: (n: number) => `${n} requests/s`,
      schedules: (incremental: string, deleted: string) =>
        `incremental ${incremental}, deletion sync ${deleted} (cron, UTC)`,
      remove: 'Remove',
      removeHint: 'Remove the source, its cursors and schedules',
      removeTitle: (id: string) => `Remove source ${id}?`,
      removeBody:
        'Its cursors and schedules are deleted and it is no longer crawled. What it indexed stays searchable; a full reindex from another source replaces it.',
      removeConfirm: 'Remove source',
      removed: (id: string) => `Source ${id} removed: it is no longer crawled; what it indexed stays searchable.`,
    },
    cursors: {
      title: 'Cursors (one per entity and tenant)',
      none: 'No cursors yet: nothing has been crawled from this source. Pick a tenant and start a full reindex.',
      noneForTenant: (tenant: string) =>
        `Nothing crawled from this source for tenant ${tenant} yet: start a full reindex above.`,
      columns: {
        entity: 'Entity',
        tenant: 'Tenant',
        indexed: 'Documents',
        readUpTo: 'Read up to',
        incremental: 'Newest incremental',
        full: 'Last full reindex',
        deletion: 'Deletion sync',
        error: 'Last error',
      },
      nothingRead: 'nothing yet',
      readUpToHint: 'The change time of the newest item read: the next incremental crawl reads from here.',
      never: 'never',
      noRun: 'none in the last 7 days',
      noError: 'none',
      indexedVerb: 'indexed',
      removedVerb: 'removed',
      run: (ago: string, count: string, verb: string) => `${ago} · ${count} ${verb}`,
      openLog: 'open its run log',
      deletionsSince: (time: string) => `deletions read up to ${time}`,
      reset: 'Reset',
      resetHint: 'Forget this cursor: the next incremental crawl reads everything again',
      resetTitle: (source: string, entity: string, tenant: string) =>
        `Reset the cursor of ${entity} for tenant ${tenant} (source ${source})?`,
      resetBody:
        'The next incremental crawl reads every item again (upserts replace by id, so nothing is duplicated). The index keeps answering meanwhile.',
      resetConfirm: 'Reset cursor',
      resetDone: (source: string, entity: string, tenant: string) =>
        `Cursor of ${entity} for tenant ${tenant} (source ${source}) reset: the next incremental crawl reads everything.`,
    },
    actions: {
      title: (tenant: string) => `Crawl for tenant ${tenant}`,
      titleNoTenant: 'Crawl',
      pickTenant: 'Pick a tenant in the header to start a crawl: a crawl reads one tenant.',
      entity: 'Entity',
      allEntities: 'All entities',
      batchSize: 'Batch size',
      batchSizeHint: 'Items read per request to the source; the cursor moves after each batch.',
      batchInvalid: (max: number) => `The batch size must be a whole number from 1 to ${max}.`,
      hints: {
        full_reindex:
          'Read everything into a new index and swap it in when done; searches answer from the current index meanwhile.',
        incremental: 'Read what changed since the cursor.',
        deleted: 'Remove what the source deleted since the last deletion sync.',
      },
      queued: (type: string, entities: string, tenant: string) =>
        `${type} queued for ${entities} of tenant ${tenant}: follow it under Crawls below.`,
      openLog: (entity: string) => `${entity}: run log`,
      failed: (entity: string, title: string) => `${entity}: ${title}`,
    },
    add: {
      title: 'Add a source',
      hint: 'A CAAS HTTP API (the contract in the README) or the platform’s PostgreSQL tables. Secrets are stored by the backend and never shown again.',
      id: 'Id',
      idHint: 'Lower-case letters, digits, _ and -, e.g. caas-eu',
      kind: 'Kind',
      url: 'Base URL',
      urlHint: 'The CAAS HTTP API as the backend reaches it, e.g. https://caas.example.com/caas/v1',
      token: 'Bearer token (optional)',
      tokenHint: 'Sent to the source with every request; never shown again.',
      rateLimit: 'Rate limit (requests/s, optional)',
      rateLimitHint: "Requests per second to the source; empty keeps the source's default.",
      connectionString: 'Connection string',
      connectionStringHint: 'postgres://user:password@host:5432/db of the platform database; never shown again.',
      submit: 'Add source',
      cancel: 'Cancel',
      problems: {
        id: 'Use 1-63 lower-case letters, digits, _ and -, starting with a letter or digit.',
        url: 'Enter an http(s) URL, e.g. https://caas.example.com/caas/v1',
        rateLimit: 'Enter a number of requests per second above 0 and at most 10000, or leave it empty.',
        connectionString: 'Enter a postgres:// connection string.',
      },
    },
    crawls: {
      title: 'Crawls',
      refresh: 'Refresh',
      loading: 'Reading the crawls…',
      scopeAll: 'Crawls of every tenant, newest first.',
      scopeTenant: (tenant: string) => `Crawls of tenant ${tenant}, newest first.`,
      live: (seconds: number) => `Live: updating every ${seconds} s while a crawl runs or waits.`,
      typeFilter: 'Crawl type',
      allTypes: 'All types',
      tabs: { recent: 'Recent', active: 'Running and waiting', failed: 'Failed' },
      empty: {
        recent: 'No crawls yet.',
        active: 'No crawl is running or waiting.',
        failed: 'No failed crawls.',
      },
      emptyHint:
        'Crawls appear here when an Admin starts one above, when a schedule fires (every source has an incremental and a deletion-sync schedule for the cursors it has) or from npx caas crawl. Finished ones are kept for JOBS_RETENTION_DAYS days.',
      columns: {
        source: 'Source',
        type: 'Crawl',
        entity: 'Entity',
        tenant: 'Tenant',
        state: 'State',
        progress: 'Done',
        rate: 'Rate',
        eta: 'Time left',
        errors: 'Errors',
        started: 'Started',
      },
      progressCount: (done: string) => `${done} docs`,
      progressOf: (done: string, of: string, estimated: boolean) => `${done} / ${estimated ? '≈' : ''}${of}`,
      rate: (n: string) => `${n} docs/s`,
      none: '–',
      etaUnknown: 'unknown',
      etaAlmost: 'any moment',
      etaAlmostHint: 'Past the size of the index it replaces: the source grew since the last full reindex.',
      etaNoRateHint: 'No documents read yet: the rate is not known.',
      etaFirstFullHint:
        'A first full reindex: the source does not say how many items it holds, so there is nothing to estimate from.',
      etaIncrementalHint: 'The source does not say how many items changed since the cursor.',
      retrying: (attempts: number, error: string) => `attempt ${attempts} failed, retrying: ${error}`,
      noErrors: 'none',
      notStarted: 'waiting',
      open: 'Log',
    },
    errors: {
      adminKey: {
        title: 'The backend refused the admin key Grafana sent.',
        hint: "Set the backend's admin key (role admin: CAAS_ADMIN_KEY, or data/admin.key after npm start) as the admin key on the app's Configuration page.",
      },
      notAdmin: {
        title: 'Grafana refused: this action is for Grafana Admins only.',
        hint: 'Ask an Admin of this Grafana organisation to do it, or to give you the Admin role.',
      },
    },
  },
  /** The Incidents page: incidents from Alertmanager (or the ruler), their alerts, timeline and actions. */
  incidents: {
    subtitle:
      'Incidents open from Alertmanager notifications (one per alert group and tenant), or straight from the ruler without Alertmanager. Acknowledge stops every further page.',
    tabs: { open: 'Open', triggered: 'Triggered', acknowledged: 'Acknowledged', resolved: 'Resolved' } as Record<
      string,
      string
    >,
    states: { triggered: 'Triggered', acknowledged: 'Acknowledged', resolved: 'Resolved' } as Record<string, string>,
    columns: {
      severity: 'Severity',
      title: 'Incident',
      tenant: 'Tenant',
      state: 'State',
      alerts: 'Alerts firing',
      opened: 'Opened',
      escalation: 'Next page',
    },
    platform: 'platform',
    loading: 'Loading incidents…',
    empty: (tab: string) =>
      tab === 'resolved'
        ? 'No resolved incidents yet.'
        : 'No open incidents: nothing is firing. Incidents open when Alertmanager notifies POST /v1/alertmanager/webhook (or the ruler, without Alertmanager).',
    escalation: {
      none: 'no policy',
      stopped: 'stopped',
      finished: 'all steps ran',
      next: (step: number, at: string) => `step ${step + 1} ${at}`,
    },
    detail: {
      close: 'Close',
      runbook: 'Runbook',
      alerts: 'Alerts',
      timeline: 'Timeline',
      postmortem: 'Post-mortem',
      via: (via: string) =>
        via === 'ruler' ? 'opened by the ruler (no Alertmanager: no grouping or silences)' : 'from Alertmanager',
      acknowledgedBy: (who: string, when: string) => `Acknowledged by ${who} ${when}`,
      resolvedBy: (who: string, when: string) => `Resolved by ${who} ${when}`,
      snoozedUntil: (when: string) => `Snoozed until ${when}`,
      firing: 'firing',
      resolved: 'resolved',
      repeats: (n: number) => `sent again ${n}×`,
    },
    actions: {
      acknowledge: 'Acknowledge',
      unacknowledge: 'Unacknowledge',
      resolve: 'Resolve',
      snooze: 'Snooze',
      snoozeFor: (minutes: number) => (minutes < 60 ? `${minutes} min` : `${minutes / 60} h`),
      adminOnly:
        "Only Grafana Editors and Admins can act on incidents here: Grafana sends the responder key for them only. A tenant's own tenant-admin key can act through the API (POST /v1/incidents/:id/acknowledge).",
      failed: (what: string) => `Could not ${what.toLowerCase()} the incident`,
    },
    actor: {
      alertmanager: 'Alertmanager',
      ruler: 'the ruler',
      system: 'the backend',
      link: 'a signed link',
      key: (name: string | null, id: string | null) => name ?? id ?? 'an API key',
    },
  },
  alerts: {
    subtitle:
      "Alerts as Alertmanager groups them, its silences, and the alert rules over metrics (Prometheus) and events (the backend's ruler). Firing alerts become incidents.",
    tabs: { active: 'Active alerts', silences: 'Silences', rules: 'Rules' } as Record<string, string>,
    adminOnly: "Only a Grafana Admin can do this: Grafana sends the backend's admin key for Admins only.",
    viewerNotice: {
      title: 'Read-only',
      body: 'You see alerts, silences and rules. Silencing, expiring, testing, enabling and editing rules need a Grafana Admin (the app sends the admin key for Admins only).',
    },
    notConfigured: {
      title: 'No Alertmanager configured',
      body: 'Grouping and silences need Alertmanager (ALERTMANAGER_URL): set it on the backend, e.g. ALERTMANAGER_URL=http://alertmanager:9093.',
      instead:
        "Meanwhile the event rules' alerts open incidents directly (see the Incidents page), and metric rules need Prometheus and Alertmanager to alert.",
      openIncidents: 'Open Incidents',
    },
    active: {
      loading: 'Loading alert groups…',
      empty: 'All quiet: no alerts in Alertmanager.',
      emptyHint:
        'Alerts appear here when a metric rule fires in Prometheus or an event rule\'s condition holds (the ruler sends it to Alertmanager); "Test" on the Rules tab sends one real test alert.',
      receiver: (name: string) => `receiver ${name}`,
      count: (n: number) => (n === 1 ? '1 alert' : `${n} alerts`),
      since: 'since',
      runbook: 'Runbook',
      states: { active: 'active', suppressed: 'suppressed', unprocessed: 'unprocessed' } as Record<string, string>,
      silencedBy: (ids: string) => `silenced by ${ids}`,
      inhibitedBy: (ids: string) => `inhibited by ${ids}`,
      silence: 'Silence',
      inhibitRules: 'Inhibition rules',
      inhibitRule: (source: string, target: string, equal: string) =>
        `${source} mutes ${target}${equal ? ` with the same ${equal}` : ''}`,
      version: (v: string, receivers: string) => `Alertmanager ${v} · receivers: ${receivers}`,
    },
    silenceForm: {
      title: 'New silence',
      matchers: 'Matchers',
      matchersHint: 'An alert is silenced when every matcher matches its labels.',
      name: 'Label',
      value: 'Value',
      isEqual: 'Equal',
      isEqualHint: 'off: the label must NOT match (!= or !~)',
      isRegex: 'Regex',
      addMatcher: 'Add matcher',
      remove: 'Remove',
      duration: 'Duration',
      durationHint: 'e.g. 30m, 2h, 1d',
      comment: 'Comment',
      commentHint: 'why (required)',
      createdBy: 'Created by',
      submit: 'Create silence',
      cancel: 'Cancel',
      created: (id: string) => `Silence ${id} created.`,
      needsComment: 'Say why in the comment: Alertmanager requires one.',
      needsMatcher: 'At least one matcher with a label name is needed.',
    },
    silences: {
      loading: 'Loading silences…',
      empty: 'No silences. Create one from an alert on the Active alerts tab.',
      columns: {
        state: 'State',
        matchers: 'Matchers',
        createdBy: 'Created by',
        comment: 'Comment',
        ends: 'Until',
        actions: '',
      },
      states: { active: 'active', pending: 'pending', expired: 'expired' } as Record<string, string>,
      expire: 'Expire',
      expired: (id: string) => `Silence ${id} expired.`,
      starts: (when: string) => `starts ${when}`,
    },
    rules: {
      loading: 'Loading rules…',
      empty: 'No alert rules yet. Add a metric rule (PromQL) or an event rule (a condition over analytics events).',
      columns: {
        name: 'Rule',
        kind: 'Kind',
        severity: 'Severity',
        tenant: 'Tenant',
        state: 'State',
        evaluated: 'Last evaluation',
        health: 'Health',
        actions: '',
      },
      kinds: { metric: 'metric', event: 'event' } as Record<string, string>,
      states: { inactive: 'inactive', pending: 'pending', firing: 'firing' } as Record<string, string>,
      unknownState: 'unknown',
      unknownStateHint: 'Prometheus (PROMETHEUS_URL) is not configured or has not evaluated it yet.',
      disabled: 'disabled',
      allTenants: 'every tenant',
      platform: 'platform',
      never: 'never',
      ok: 'ok',
      test: 'Test',
      enable: 'Enable',
      disable: 'Disable',
      edit: 'Edit',
      newMetric: 'New metric rule',
      newEvent: 'New event rule',
      rulesFile: 'Prometheus rule file (rules.yml)',
      rulesFileHint: 'Every enabled metric rule, as Prometheus loads it (for operators running their own Prometheus).',
      tested: (via: string, name: string) =>
        via === 'alertmanager'
          ? `Test alert for ${name} sent to Alertmanager: it went through the real route (labels test="true", summary [TEST]); Alertmanager notifies the backend, which opens an incident.`
          : `Test alert for ${name} opened an incident directly (no Alertmanager configured).`,
      openIncidents: 'See it in Incidents',
    },
    editor: {
      titleNew: (kind: string) => `New ${kind} rule`,
      titleEdit: (name: string) => `Edit ${name}`,
      loading: 'Loading the rule…',
      id: 'Id',
      idHint: 'lowercase letters, digits, - and _ (generated when left empty)',
      name: 'Alert name',
      tenant: 'Tenant',
      tenantHint: 'empty: the platform (metric rule) or every tenant (event rule)',
      severity: 'Severity',
      expr: 'PromQL expression',
      exprHint: 'every series it returns is an alert; checked by promtool',
      group: 'Rule group',
      for: 'For',
      forHint: 'how long the condition must hold before it fires, e.g. 5m',
      keepFiringFor: 'Keep firing for',
      window: 'Window',
      windowHint: 'how far back each evaluation looks, e.g. 5m',
      labels: 'Labels',
      labelsHint: 'one per line: name=value',
      summary: 'Summary',
      description: 'Description',
      runbook: 'Runbook URL',
      queryKind: 'Query kind',
      queryParams: 'Query parameters (JSON)',
      queryParamsHint: 'as POST /v1/analytics/query takes them, without tenant_id, from and to',
      reducer: 'Reducer',
      field: 'Field',
      op: 'Condition',
      threshold: 'Threshold',
      enabled: 'Enabled',
      save: 'Save',
      cancel: 'Cancel',
      saved: (name: string) => `Rule ${name} saved.`,
      preview: 'Preview',
      previewNone: 'The query answered no series: the condition cannot hold.',
      wouldFire: 'condition holds now: it would fire',
      wouldNotFire: 'condition does not hold now',
      previewOf: (tenant: string, from: string, to: string) => `Tenant ${tenant}, ${from} to ${to}`,
      badJson: 'The query parameters are not a JSON object.',
      badLabels: (line: string) => `Not name=value: ${line}`,
    },
  },
  analytics: {
    subtitle:
      'Explore the analytics store: pick a kind of question, set its parameters and a time range, and see the answer as Grafana draws it in a dashboard.',
    timeRange: 'Time range',
    run: 'Run query',
    running: 'Running…',
    view: { label: 'View', chart: 'Chart', table: 'Table' },
    empty: 'Pick a kind and its parameters, then run the query.',
    noTenant: 'Pick a tenant in the header above first: every analytics query reads one tenant.',
    noData: 'No data: the query answered no rows for this tenant and time range.',
    invalid: 'The query is not complete',
    notAnalytics: "Annotation queries belong in a dashboard's annotation settings; pick another kind.",
    answered: (source: string, ms: number, granularity?: string) =>
      `Answered from ${source}${granularity ? ` per ${granularity}` : ''} in ${ms} ms.`,
  },
  health: {
    title: 'Backend health',
    loading: 'Checking the backend…',
    refresh: 'Refresh',
    status: {
      ok: 'Healthy: every engine answers',
      degraded: 'Degraded: at least one engine does not answer',
    },
    version: (version: string) => `Backend ${version}`,
    uptime: (uptime: string) => `up ${uptime}`,
    engineNames: {
      clickhouse: 'Analytics store (ClickHouse)',
      postgres: 'Metadata and search (PostgreSQL)',
      meilisearch: 'Search (Meilisearch)',
    } as Record<string, string>,
    modes: {
      embedded: 'embedded (in-process)',
      server: 'server',
    },
    engineOk: 'answers',
    engineDown: 'does not answer',
    latency: (ms: string) => `${ms} latency`,
    walTitle: 'Ingestion backlog (write-ahead log)',
    walEmpty: 'Empty: every acknowledged event is in the analytics store.',
    wal: (events: string, bytes: string, segments: string) =>
      `${events} events (${bytes}) in ${segments} segments waiting for the analytics store.`,
    storeRejected: (events: string) =>
      `Since the backend started, the analytics store refused ${events} acknowledged events; they are in the dead letters with its reason (GET /v1/dead-letters).`,
    openConfig: 'Open Configuration',
  },
  errors: {
    notConfigured: {
      title: 'The backend URL is not set.',
      hint: "Set the backend URL on the app's Configuration page.",
      hintOnConfig: 'Enter the backend URL above and save, then test again.',
    },
    unreachable: {
      title: 'Grafana could not reach the CAAS backend.',
      hint: "Set the backend URL on the app's Configuration page and check that the backend is running.",
      hintOnConfig:
        'Check the backend URL above (as the Grafana server sees it), save, and check that the backend is running.',
    },
    timeout: {
      title: (seconds: number) => `The backend did not answer within ${seconds} s.`,
      hint: 'Check that the backend is running and not overloaded, then refresh.',
    },
    unauthorized: {
      title: 'The backend rejected the key Grafana sent.',
      hint: "Set a valid read key (backend role viewer) on the app's Configuration page.",
      hintOnConfig: 'Reset the read key above, paste a valid key of role viewer and save.',
    },
    forbiddenRoute: {
      title: 'Grafana refused to forward the request to the backend.',
      hint: 'Ask a Grafana admin for access to the CAAS Observatory app.',
    },
    noRoute: {
      title: 'Grafana has no proxy route for the backend.',
      hint: 'Make sure the CAAS Observatory app is enabled and up to date, then reload the page.',
    },
    api: {
      title: (status: number, message: string) => `The backend answered ${status}: ${message}`,
      hint: 'If this persists, check the backend logs.',
    },
    unknown: {
      title: 'Something went wrong while calling the backend.',
      hint: 'Reload the page; if this persists, check the browser console and the backend logs.',
    },
  },
  config: {
    title: 'Backend connection',
    apiUrl: {
      label: 'Backend URL',
      description:
        'Where the Grafana server reaches the CAAS Observatory backend. Grafana proxies every call, so use the address as the Grafana server sees it.',
      invalid: 'Enter an absolute http:// or https:// URL, e.g. http://localhost:8080.',
    },
    keys: {
      title: 'API keys',
      intro:
        "Grafana adds one of these keys to each request it forwards to the backend, the least one that serves it: Viewers' pages get the read key, Editors' incident and silence actions the responder key, and only Grafana Admins' changes the admin key. They are stored encrypted and never shown again; use Reset to replace one.",
    },
    viewerKey: {
      label: 'Read key (backend role viewer)',
      description:
        "Sent with every request a Grafana Viewer makes through the app. It reads every tenant and writes nothing. Create one with `npx caas keys create --role viewer` (or set CAAS_VIEWER_KEY on the backend). Never paste an admin key here: every Viewer's request would carry it.",
      placeholder: 'A key of role viewer',
    },
    responderKey: {
      label: 'Responder key (backend role responder)',
      description:
        'Sent when a Grafana Editor or Admin acts on an incident (acknowledge, snooze, resolve, post-mortem) or a silence. It reads what the read key reads and changes nothing else: no rules, policies, channels or keys. Create one with `npx caas keys create --role responder` (or set CAAS_RESPONDER_KEY on the backend). Leave it empty to keep incident actions out of Grafana.',
      placeholder: 'A key of role responder (optional)',
    },
    adminKey: {
      label: 'Admin key (backend role admin)',
      description:
        "Sent only for Grafana Admins' actions: API keys, new tenants, dead-letter replay. Use the backend's admin key (CAAS_ADMIN_KEY, or data/admin.key after npm start). Leave it empty to keep those actions out of Grafana.",
      placeholder: 'The backend admin key (optional)',
    },
    legacyKey: {
      title: 'This app still stores the single API key of an earlier version.',
      body: "Grafana no longer sends it: Viewers' pages now use a read key and only Admins' actions use the admin key, so the pages cannot read the backend until the read key is set. Paste a read key above (npx caas keys create --role viewer); if the old key was the admin key, paste it again as the admin key (Grafana never shows stored keys). Saving removes the old key.",
    },
    save: 'Save settings',
    saving: 'Saving…',
    saveFailed: (message: string) => `Could not save the settings: ${message}`,
    testConnection: 'Test connection',
    testing: 'Testing…',
    unsavedChanges: 'Test connection uses the saved settings: save your changes first.',
    testOk: 'Connected: the backend and every engine answer.',
    testNotReady: 'The backend answers, but some engines do not:',
    engineLine: (name: string, mode: string, latency: string) => `${name}: ${mode}, ${latency}`,
    engineFailed: (name: string, error: string) => `${name}: ${error}`,
    keyChecks: {
      ok: 'The keys:',
      problems: 'The keys need attention:',
      readOk: "Read key: accepted; Viewers' pages can read the backend.",
      readNotSet: "Read key: not set. Viewers' pages cannot read the backend until you set it above.",
      readRejected:
        'Read key: rejected by the backend (unknown or revoked). Reset it above, paste a key of role viewer and save.',
      readForbidden:
        'Read key: accepted, but it may not read analytics (an ingest key?). Use a key of role viewer: npx caas keys create --role viewer.',
      responderOk: 'Responder key: accepted; Editors can act on incidents and silences.',
      responderNotSet: 'Responder key: not set (optional). Editors and Admins cannot act on incidents or silences from Grafana.',
      responderRejected:
        'Responder key: rejected by the backend (unknown or revoked). Reset it above, paste a key of role responder and save.',
      responderForbidden:
        'Responder key: accepted, but it may not act on incidents (a viewer key?). Use a key of role responder: npx caas keys create --role responder.',
      adminOk: 'Admin key: accepted.',
      adminNotSet: 'Admin key: not set (optional). Keys, tenants and dead letters cannot be managed from Grafana.',
      adminRejected:
        "Admin key: rejected by the backend (unknown or revoked). Reset it above, paste the backend's admin key and save.",
      adminForbidden: "Admin key: accepted, but it may not manage API keys. Use the backend's admin key (role admin).",
      failed: (which: string, title: string, hint: string) => `${which}: ${title} ${hint}`,
      readName: 'Read key',
      responderName: 'Responder key',
      adminName: 'Admin key',
    },
  },
} as const;
