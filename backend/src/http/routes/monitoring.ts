import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeTenant } from '../../auth/keys.js';
import { ErrorResponses } from '../../contracts/common.js';
import { AlertmanagerErrors, MonitoringStatus, MonitoringStatusQuery, TestFire, TestRuleParams, TestRuleQuery } from '../../contracts/alertmanager.js';
import type { Services } from '../../services.js';
import { reads, writes } from '../authenticate.js';

/**
 * The seed's `POST /monitoring/test/:ruleId` (one real test alert of a metric or event rule, through
 * Alertmanager or the incidents) and `GET /monitoring/status` (ruler, Alertmanager, Prometheus, firing
 * alerts by severity), tenant-scoped (issue "Alert management", item 7).
 */
export function monitoringRoutes(svc: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['alerts'];
    app.post(
      '/monitoring/test/:ruleId',
      {
        schema: {
          tags,
          summary: 'Test-fire a rule: one real alert with its labels plus test="true", the summary prefixed [TEST], ending in 5 minutes',
          description: 'Through Alertmanager (ALERTMANAGER_URL) and its routes, or, without it, to the incidents. Tenant keys: their own rules and the event rules of every tenant (the alert carries their tenant).',
          params: TestRuleParams,
          querystring: TestRuleQuery,
          response: { 200: TestFire, ...ErrorResponses, ...AlertmanagerErrors },
        },
        config: writes('test-firing alert rules', ['admin', 'tenant-admin']),
      },
      async (req) => svc.monitoring.testFire(req.params.ruleId, req.principal.tenantId, { kind: req.query.kind, tenant_id: req.query.tenant_id })
    );
    app.get(
      '/monitoring/status',
      {
        schema: {
          tags,
          summary: "Alerting's health: the ruler's last run and failing rules, Alertmanager and Prometheus reachability, firing alerts by severity",
          querystring: MonitoringStatusQuery,
          response: { 200: MonitoringStatus, ...ErrorResponses },
        },
        config: reads('reading the monitoring status'),
      },
      async (req) => svc.monitoring.status(scopeTenant(req.principal, req.query.tenant_id))
    );
  };
}
