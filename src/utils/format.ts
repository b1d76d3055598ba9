import { dateTimeFormat, dateTimeFormatTimeAgo } from '@grafana/data';

/** Small formatters for the health view; plain functions so they are tested without rendering. */

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

export function formatLatency(ms: number): string {
  if (ms < 1) {
    return '<1 ms';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Uptime as the two largest units, e.g. "3 d 4 h", "5 min 2 s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const parts: Array<[number, string]> = [
    [Math.floor(s / 86400), 'd'],
    [Math.floor((s % 86400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'min'],
    [s % 60, 's'],
  ];
  const first = parts.findIndex(([v]) => v > 0);
  if (first === -1) {
    return '0 s';
  }
  return parts
    .slice(first, first + 2)
    .filter(([v]) => v > 0)
    .map(([v, u]) => `${v} ${u}`)
    .join(' ');
}

/** An ISO 8601 instant as Grafana shows times, in the browser's zone, e.g. "2026-12-01 16:31:36"; '' when unreadable. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso || Number.isNaN(Date.parse(iso))) {
    return '';
  }
  return dateTimeFormat(iso, { format: 'YYYY-MM-DD HH:mm:ss' });
}

/** How long ago an ISO 8601 instant was, e.g. "5 minutes ago"; '' when unreadable. */
export function formatAgo(iso: string | null | undefined): string {
  if (!iso || Number.isNaN(Date.parse(iso))) {
    return '';
  }
  return dateTimeFormatTimeAgo(iso);
}

/** A share as a percentage with one decimal below 10 %, e.g. "4.2 %", "63 %". */
export function formatShare(part: number, whole: number): string {
  if (whole <= 0) {
    return '–';
  }
  const pct = (part / whole) * 100;
  return `${pct < 10 ? pct.toFixed(1) : Math.round(pct)} %`;
}
