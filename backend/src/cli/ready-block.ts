/**
 * The block `npm start` prints to stdout once the backend listens (and, with --demo, once the demo
 * load is done): where it is, where its admin key is, how to point Grafana at it. Plain text, not a
 * pino line, because it is for the person at the terminal and must not drown among the JSON logs.
 */
export interface ReadyInfo {
  /** the address a person on this machine opens, e.g. http://localhost:8080 */
  url: string;
  port: number;
  /** the file holding the admin key, or null when it came from CAAS_ADMIN_KEY */
  adminKeyFile: string | null;
  demo: { action: 'loaded'; events: number; days: number; tenants: string[] } | { action: 'skipped'; events: number; tenants: string[] } | null;
  /** --demo: the demo CAAS platform crawled into search */
  search?: { source: string; queued: number; skipped: number } | null;
  /** --demo: where the demo CAAS platform's Prometheus metrics are served (url null: the port was taken) */
  metrics?: { url: string | null } | null;
}

export function readyBlock(info: ReadyInfo): string {
  const key = info.adminKeyFile ? `${info.adminKeyFile}  (cat it; npx caas reads it too)` : 'from CAAS_ADMIN_KEY (as you set it)';
  const keyValue = info.adminKeyFile ? `$(cat ${info.adminKeyFile})` : '$CAAS_ADMIN_KEY';
  const lines = ['', '==== CAAS Observatory backend is ready ====', `  URL        ${info.url}`, `  admin key  ${key}`];
  if (info.demo?.action === 'loaded') {
    lines.push(`  demo data  ${info.demo.tenants.join(', ')}: ${info.demo.events} events over ${info.demo.days} day${info.demo.days === 1 ? '' : 's'}, loaded now`);
  } else if (info.demo?.action === 'skipped') {
    lines.push(`  demo data  ${info.demo.tenants.join(', ')}: already loaded (${info.demo.events} events); --demo-reset reloads it`);
  }
  if (info.search) {
    const what = info.search.queued > 0 ? `${info.search.queued} full reindex crawl(s) queued (GET /v1/jobs?kind=crawl.run)` : 'already indexed; incremental crawls every minute';
    lines.push(
      `  search     source '${info.search.source}' (the demo CAAS platform): ${what}`,
      `             try: curl -H "Authorization: Bearer ${keyValue}" '${info.url}/v1/search?tenant_id=acme&q=release+checklist'`,
      `             crawls: npx caas sources list; npx caas crawl --entity messages --tenant acme --type incremental`
    );
  }
  if (info.metrics) {
    lines.push(
      info.metrics.url
        ? `  metrics    the demo platform's Prometheus target: ${info.metrics.url} (scrape with honor_labels: true)`
        : `  metrics    the demo platform's metrics are not served (DEMO_METRICS_PORT is taken; see the log)`,
      `             faults: npx caas demo fault error-spike|latency|disconnect-storm|lag --minutes 10`
    );
  }
  lines.push(
    `  Grafana    in a Grafana 12 with this repository's dist/ as the caas-observatory-app plugin, open`,
    `             Administration > Plugins > CAAS Observatory > Configuration and set`,
    `               backend URL  ${info.url}  (from Grafana in Docker: http://host.docker.internal:${info.port})`,
    `               read key     a key of role viewer: npx caas keys create --role viewer (or set CAAS_VIEWER_KEY)`,
    `               responder key  a key of role responder (Editors act on incidents and silences): npx caas keys create --role responder`,
    `               admin key    ${keyValue} (only Grafana Admins' actions send it)`,
    `             and give the CAAS Analytics data source the same read key`,
    `             (docker compose up runs Grafana with its own backend instead; see the README)`,
    '==========================================',
    ''
  );
  return lines.join('\n');
}
