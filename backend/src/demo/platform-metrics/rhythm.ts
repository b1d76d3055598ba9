/**
 * The demo platform's daily rhythm: how busy a tenant is at a wall-clock instant. The same working-hours
 * curve and weekly shape as the demo events (generator.ts), in each tenant's home time zone, with a
 * smooth deterministic wobble (value noise keyed by seed, series and time), so the same seed and
 * instant always give the same load, on every machine.
 */
import { DIURNAL_RAW, WEEKLY_RAW } from '../generator.js';
import { hashString } from '../rng.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const DIURNAL = DIURNAL_RAW.map((x) => x / mean(DIURNAL_RAW));
const WEEKLY = WEEKLY_RAW.map((x) => x / mean(WEEKLY_RAW));

/** The highest value activity() can take without noise (the busiest hour of the busiest weekday). */
export const PEAK_ACTIVITY = Math.max(...DIURNAL) * Math.max(...WEEKLY);

/** A 32-bit mix of two integers (murmur3's finaliser over a ⊕ b·φ). */
export function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A key for noise() from a seed and names (a tenant, a series). */
export function noiseKey(seed: number, ...names: string[]): number {
  return hashString(names.join('\u0000'), mix(seed, 0x5eed) || 1);
}

/** Uniform in [-1, 1] for a key and an integer knot. */
function knot(key: number, k: number): number {
  return (mix(key, k) / 0xffffffff) * 2 - 1;
}

/**
 * Smooth value noise in [-1, 1]: random knots every `periodMs`, cosine-interpolated between them, plus a
 * faster octave at a quarter of the period. A pure function of (key, t).
 */
export function noise(key: number, t: number, periodMs = 10 * 60_000): number {
  const octave = (p: number, salt: number) => {
    const x = t / p;
    const k = Math.floor(x);
    const f = (1 - Math.cos((x - k) * Math.PI)) / 2;
    return knot(key ^ salt, k) * (1 - f) + knot(key ^ salt, k + 1) * f;
  };
  return octave(periodMs, 0) * 0.7 + octave(periodMs / 4, 0x2545f491) * 0.3;
}

/** Uniform in [0, 1] from noise(). */
export const noise01 = (key: number, t: number, periodMs?: number) => (noise(key, t, periodMs) + 1) / 2;

/**
 * How busy a place at UTC offset `utcOffsetHours` is at `t` (epoch ms), relative to its weekly mean (1):
 * ~0.1 in the small hours, ~1.6 at the working-day peaks, lower on weekends. Interpolated between hours.
 */
export function rhythm(t: number, utcOffsetHours: number): number {
  const local = t + utcOffsetHours * HOUR_MS;
  const hours = local / HOUR_MS;
  const h = Math.floor(hours);
  const f = hours - h;
  const at = (hour: number) => {
    const day = Math.floor(hour / 24);
    // 1970-01-01 was a Thursday (weekday 4, Sunday = 0)
    const weekday = (((day + 4) % 7) + 7) % 7;
    const hod = ((hour % 24) + 24) % 24;
    return (DIURNAL[hod] ?? 1) * (WEEKLY[weekday] ?? 1);
  };
  return at(h) * (1 - f) + at(h + 1) * f;
}

/** A demo tenant's size and home: how many sockets it holds and messages it sends on an average hour. */
export interface TenantProfile {
  id: string;
  utcOffsetHours: number;
  /** socket connections on an average hour (the peak is ~1.8×) */
  connections: number;
  /** messages a second on an average hour */
  messagesPerSecond: number;
}

const KNOWN: Record<string, Omit<TenantProfile, 'id'>> = {
  acme: { utcOffsetHours: -5, connections: 9_000, messagesPerSecond: 30 },
  globex: { utcOffsetHours: 1, connections: 5_000, messagesPerSecond: 16 },
  initech: { utcOffsetHours: 5.5, connections: 2_200, messagesPerSecond: 7 },
};
const OFFSETS = [-8, -5, -3, 0, 1, 2, 5.5, 8, 9, 10];

/** The profile of a tenant: the three demo tenants' own, any other id a smaller one derived from its name. */
export function tenantProfile(id: string): TenantProfile {
  const known = KNOWN[id];
  if (known) return { id, ...known };
  const h = hashString(id);
  return { id, utcOffsetHours: OFFSETS[h % OFFSETS.length] ?? 0, connections: 1_000 + (h % 3_000), messagesPerSecond: 3 + ((h >>> 8) % 8) };
}

/** The tenant's activity at `t`: rhythm × (1 ± 8% wobble). */
export function tenantActivity(seed: number, p: TenantProfile, t: number): number {
  return rhythm(t, p.utcOffsetHours) * (1 + 0.08 * noise(noiseKey(seed, 'activity', p.id), t));
}

/** The standard normal CDF (Abramowitz & Stegun 7.1.26 for erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

/** P(X ≤ x) for a log-normal X with this median and σ of ln X. */
export function logNormalCdf(x: number, median: number, sigma: number): number {
  if (x <= 0) return 0;
  return normalCdf(Math.log(x / median) / sigma);
}

/**
 * The share of a log-normal's observations in each histogram bucket: `bounds` are the upper bounds
 * (ascending, +Inf implied after the last), the answer has bounds.length + 1 shares summing to 1.
 */
export function bucketShares(bounds: readonly number[], median: number, sigma: number): number[] {
  const out: number[] = [];
  let below = 0;
  for (const b of bounds) {
    const c = logNormalCdf(b, median, sigma);
    out.push(Math.max(0, c - below));
    below = c;
  }
  out.push(Math.max(0, 1 - below));
  return out;
}
