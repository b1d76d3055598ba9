/**
 * Test selectors of the Configuration page's keys (the page's other selectors are testIds.appConfig in
 * src/components/testIds.ts). The "data-testid " prefix matches Grafana's own selectors, as there.
 */
export const settingsTestIds = {
  viewerKey: 'data-testid ac-viewer-key',
  responderKey: 'data-testid ac-responder-key',
  adminKey: 'data-testid ac-admin-key',
  legacyKey: 'data-testid ac-legacy-key',
  keyChecks: 'data-testid ac-key-checks',
  keyCheck: (name: string) => `data-testid ac-key-check-${name}`,
};
