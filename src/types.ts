/**
 * The app's settings as Grafana stores them (plugin settings API).
 * jsonData is readable by every Viewer, so nothing secret goes here (DESIGN.md, Non-negotiables).
 */
export interface AppJsonData {
  /** Base URL of the CAAS Observatory backend as Grafana's server sees it, e.g. http://localhost:8080. */
  apiUrl?: string;
}

/** Write-only secrets; Grafana encrypts them and only tells the browser which ones are set (secureJsonFields). */
export interface AppSecureJsonData {
  apiKey?: string;
}
