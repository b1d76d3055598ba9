/**
 * Reloads Grafana after the app's settings changed: Grafana keeps the plugin meta it booted with, and there is no
 * supported API to refresh it in place (same reason as the create-plugin scaffold). A module of its own so tests
 * can replace it.
 */
export function reloadPage(): void {
  window.location.reload();
}
