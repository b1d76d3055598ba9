/**
 * Deterministic generator of realistic CAAS analytics events for demos and benchmarks.
 *
 * Model (per tenant): a user base where every user has a country (→ UTC offset), a platform/device, an
 * activity level (heavy-tailed), a signup day, and maybe a churn day and a later return day. Volume follows a
 * daily rhythm in each user's local time (working-hours peak, quiet nights) and a weekly one (weekends lower).
 * App versions are released every ~2 weeks and users adopt them with a personal lag.
 *
 * The generator streams: it works one UTC hour at a time, sorts that hour's events (all tenants) by timestamp
 * and yields them, so memory holds one hour of events, never the whole run. Same options (seed, end, …) →
 * the same events, byte for byte.
 */
import type { AnalyticsEventInput } from '../contracts/events.js';
import { hashString, Rng, WeightedTable } from './rng.js';

export const DEMO_EVENT_TYPES = [
  'message_sent',
  'call_started',
  'file_shared',
  'user_active',
  'login',
  'reaction_added',
  'search_performed',
  'group_created',
] as const;
export type DemoEventType = (typeof DEMO_EVENT_TYPES)[number];

export const MESSAGE_TYPE_WEIGHTS = { text: 70, image: 15, file: 10, voice: 5 } as const;
export type MessageType = keyof typeof MESSAGE_TYPE_WEIGHTS;

/** Approximate UTC offsets in hours (no DST: good enough for a daily rhythm). */
export const COUNTRY_UTC_OFFSET_HOURS = {
  US: -6,
  CA: -5,
  MX: -6,
  BR: -3,
  GB: 0,
  FR: 1,
  DE: 1,
  ES: 1,
  IT: 1,
  NL: 1,
  SE: 1,
  PL: 1,
  NG: 1,
  ZA: 2,
  IN: 5.5,
  ID: 7,
  SG: 8,
  JP: 9,
  KR: 9,
  AU: 10,
} as const;
export type DemoCountry = keyof typeof COUNTRY_UTC_OFFSET_HOURS;

const GLOBAL_COUNTRY_WEIGHTS: ReadonlyArray<readonly [DemoCountry, number]> = [
  ['US', 22],
  ['IN', 14],
  ['BR', 9],
  ['GB', 8],
  ['DE', 8],
  ['FR', 6],
  ['JP', 6],
  ['NG', 5],
  ['CA', 5],
  ['AU', 4],
  ['ES', 3],
  ['MX', 3],
  ['ID', 3],
  ['IT', 2],
  ['KR', 2],
  ['SG', 1],
  ['ZA', 1],
  ['NL', 1],
  ['SE', 1],
  ['PL', 1],
];
const HOME_COUNTRIES: readonly DemoCountry[] = ['US', 'GB', 'DE', 'IN', 'BR', 'FR', 'JP', 'NG', 'AU', 'CA'];

export type DemoPlatform = 'ios' | 'android' | 'web' | 'macos' | 'windows';
const DEVICE_OF: Record<DemoPlatform, 'mobile' | 'desktop'> = {
  ios: 'mobile',
  android: 'mobile',
  web: 'desktop',
  macos: 'desktop',
  windows: 'desktop',
};
const PLATFORMS_RICH = new WeightedTable<DemoPlatform>([
  ['ios', 42],
  ['android', 22],
  ['web', 14],
  ['macos', 10],
  ['windows', 12],
]);
const PLATFORMS_ANDROID_FIRST = new WeightedTable<DemoPlatform>([
  ['ios', 10],
  ['android', 65],
  ['web', 12],
  ['macos', 3],
  ['windows', 10],
]);
const PLATFORMS_DEFAULT = new WeightedTable<DemoPlatform>([
  ['ios', 30],
  ['android', 35],
  ['web', 15],
  ['macos', 8],
  ['windows', 12],
]);
const RICH_IOS: ReadonlySet<DemoCountry> = new Set<DemoCountry>(['US', 'CA', 'GB', 'AU', 'JP', 'SE', 'NL']);
const ANDROID_FIRST: ReadonlySet<DemoCountry> = new Set<DemoCountry>(['IN', 'NG', 'BR', 'ID', 'MX', 'ZA']);

/** Relative volume per local hour 0..23 (normalised to mean 1 below). */
export const DIURNAL_RAW = [
  0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.3, 0.6, 1.0, 1.35, 1.55, 1.6, 1.45, 1.5, 1.6, 1.6, 1.5, 1.35, 1.2, 1.15, 1.1,
  1.0, 0.75, 0.45,
];
/** Relative volume per local weekday, 0 = Sunday (normalised to mean 1 below). */
export const WEEKLY_RAW = [0.55, 1.1, 1.15, 1.15, 1.12, 1.02, 0.6];
const DIURNAL = normalise(DIURNAL_RAW);
const WEEKLY = normalise(WEEKLY_RAW);

const PRIMARY_TYPES = new WeightedTable<DemoEventType>([
  ['message_sent', 65],
  ['reaction_added', 12],
  ['search_performed', 6],
  ['file_shared', 5],
  ['call_started', 5],
  ['user_active', 4],
  ['login', 2],
  ['group_created', 1],
]);
const MESSAGE_TYPES = new WeightedTable<MessageType>(
  Object.entries(MESSAGE_TYPE_WEIGHTS) as Array<[MessageType, number]>
);
const LOGIN_METHODS = new WeightedTable<string>([
  ['password', 40],
  ['oauth_google', 20],
  ['sso', 20],
  ['magic_link', 10],
  ['oauth_apple', 10],
]);
const MIME_TYPES = new WeightedTable<readonly [string, number]>([
  [['application/pdf', 600_000], 30],
  [['image/png', 450_000], 18],
  [['image/jpeg', 380_000], 18],
  [['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 120_000], 10],
  [['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 90_000], 8],
  [['text/plain', 8_000], 6],
  [['application/zip', 4_000_000], 5],
  [['video/mp4', 12_000_000], 5],
]);
const EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏', '🔥'] as const;
const SEARCH_SCOPES = ['messages', 'files', 'people', 'all'] as const;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface DemoGeneratorOptions {
  /** PRNG seed; the same seed and options give the same events. Default 42. */
  seed?: number;
  /** Tenant ids. Default ['acme', 'globex', 'initech']. */
  tenants?: string[];
  /** Length of the window that ends at `end`, in days. Default 30. */
  days?: number;
  /** End of the window (exclusive). Default now; clamped to now so no event is in the future. */
  end?: Date;
  /** Size of each tenant's user base (signed up before or during the window). Default 500. */
  usersPerTenant?: number;
  /** Approximate events per day per tenant (the tenants differ by up to ±30%). Default 5000. */
  eventsPerDay?: number;
}

export interface ResolvedDemoOptions {
  seed: number;
  tenants: string[];
  days: number;
  startMs: number;
  endMs: number;
  usersPerTenant: number;
  eventsPerDay: number;
}

export interface DemoEvent extends AnalyticsEventInput {
  event_id: string;
  type: DemoEventType;
  timestamp: number;
  properties: Record<string, string | number | boolean>;
  context: { device: string; platform: DemoPlatform; app_version: string; country: DemoCountry };
}

interface DemoUser {
  id: string;
  country: DemoCountry;
  platform: DemoPlatform;
  /** relative activity (log-normal, heavy tail) */
  activity: number;
  /** window day index (0 = first day of the window; negative = signed up before it) */
  signupDay: number;
  /** first window day the user no longer appears (Infinity = never churns) */
  churnDay: number;
  /** window day the churned user comes back (Infinity = never) */
  returnDay: number;
  /** days between a release and this user running it */
  versionLagDays: number;
  convBase: number;
  /** UTC day number (epoch days) of the user's last appearance, for user_active/login once per day */
  lastSeenUtcDay: number;
  everSeen: boolean;
  versionCacheDay: number;
  version: string;
}

interface Release {
  atMs: number;
  version: string;
}

interface TenantModel {
  id: string;
  scale: number;
  users: DemoUser[];
  conversations: number;
  releases: Release[];
  /** per-window-day state */
  day: number;
  noise: number;
  /** events emitted per draw (session starts add user_active/login); learnt per day to keep eventsPerDay */
  overhead: number;
  drawsToday: number;
  emittedToday: number;
  countries: Array<{ country: DemoCountry; offsetMs: number; share: number; table: WeightedTable<DemoUser> }>;
}

export function resolveDemoOptions(options: DemoGeneratorOptions = {}): ResolvedDemoOptions {
  const seed = options.seed ?? 42;
  const tenants = options.tenants ?? ['acme', 'globex', 'initech'];
  const days = options.days ?? 30;
  const usersPerTenant = options.usersPerTenant ?? 500;
  const eventsPerDay = options.eventsPerDay ?? 5000;
  if (!Number.isInteger(seed)) throw new RangeError('seed must be an integer');
  if (tenants.length === 0) throw new RangeError('tenants must name at least one tenant');
  if (new Set(tenants).size !== tenants.length) throw new RangeError('tenants must be distinct');
  if (!(days > 0) || !Number.isFinite(days)) throw new RangeError('days must be a positive number');
  if (!Number.isInteger(usersPerTenant) || usersPerTenant < 1) throw new RangeError('usersPerTenant must be ≥ 1');
  if (!(eventsPerDay >= 0) || !Number.isFinite(eventsPerDay)) throw new RangeError('eventsPerDay must be ≥ 0');
  const requestedEnd = options.end?.getTime() ?? Date.now();
  if (!Number.isFinite(requestedEnd)) throw new RangeError('end must be a valid date');
  const endMs = Math.min(requestedEnd, Date.now());
  const startMs = endMs - Math.round(days * DAY_MS);
  return { seed, tenants: [...tenants], days, startMs, endMs, usersPerTenant, eventsPerDay };
}

/**
 * Streams events in timestamp order, all inside [end - days, end). Never holds more than one hour of events.
 */
export function* generateEvents(options: DemoGeneratorOptions = {}): Generator<DemoEvent, void, undefined> {
  const o = resolveDemoOptions(options);
  const rng = new Rng(o.seed);
  const idRng = new Rng(
    hashString(JSON.stringify([o.endMs, o.days, o.tenants, o.usersPerTenant, o.eventsPerDay]), o.seed >>> 0)
  );
  const tenants = buildTenants(o);
  const nextEventId = (): string => `evt_${idRng.hex(8)}`;

  let bucketStart = o.startMs;
  while (bucketStart < o.endMs) {
    const bucketEnd = Math.min(o.endMs, Math.floor(bucketStart / HOUR_MS) * HOUR_MS + HOUR_MS);
    const span = bucketEnd - bucketStart;
    const fraction = span / HOUR_MS;
    const mid = bucketStart + span / 2;
    const windowDay = Math.floor((bucketStart - o.startMs) / DAY_MS);
    const batch: DemoEvent[] = [];

    for (const tenant of tenants) {
      if (tenant.day !== windowDay) refreshDay(tenant, windowDay, rng);
      const perHour = ((o.eventsPerDay * tenant.scale) / 24) * fraction * (tenant.noise / tenant.overhead);
      const before = batch.length;
      for (const c of tenant.countries) {
        const local = new Date(mid + c.offsetMs);
        const factor = (DIURNAL[local.getUTCHours()] ?? 1) * (WEEKLY[local.getUTCDay()] ?? 1);
        const n = rng.poisson(perHour * c.share * factor);
        for (let i = 0; i < n; i++) {
          const user = c.table.pick(rng);
          const ts = Math.min(bucketEnd - 1, bucketStart + Math.floor(rng.next() * span));
          emitFor(tenant, user, ts, rng, nextEventId, batch);
        }
        tenant.drawsToday += n;
      }
      tenant.emittedToday += batch.length - before;
    }

    batch.sort((a, b) => a.timestamp - b.timestamp);
    yield* batch;
    bucketStart = bucketEnd;
  }
}

/** The same stream cut into arrays of `size` events (the last one may be shorter). */
export function* generateBatches(options: DemoGeneratorOptions, size: number): Generator<DemoEvent[], void, undefined> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('batch size must be a positive integer');
  let batch: DemoEvent[] = [];
  for (const event of generateEvents(options)) {
    batch.push(event);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

// ---------------------------------------------------------------------------------------------------------

function normalise(values: readonly number[]): number[] {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.map((v) => v / mean);
}

function buildTenants(o: ResolvedDemoOptions): TenantModel[] {
  const raw = o.tenants.map((id) => {
    const trng = new Rng(hashString(id, o.seed >>> 0));
    return { id, trng, scale: 0.7 + 0.6 * trng.next() };
  });
  const meanScale = raw.reduce((a, t) => a + t.scale, 0) / raw.length;
  return raw.map(({ id, trng, scale }) => {
    const home = trng.pick(HOME_COUNTRIES);
    const countryTable = new WeightedTable<DemoCountry>(
      GLOBAL_COUNTRY_WEIGHTS.map(([c, w]) => [c, w + (c === home ? 80 : 0)] as const)
    );
    const users: DemoUser[] = [];
    const usedIds = new Set<string>();
    for (let i = 0; i < o.usersPerTenant; i++) {
      const country = countryTable.pick(trng);
      const platformTable = RICH_IOS.has(country)
        ? PLATFORMS_RICH
        : ANDROID_FIRST.has(country)
          ? PLATFORMS_ANDROID_FIRST
          : PLATFORMS_DEFAULT;
      const platform = platformTable.pick(trng);
      // 45% were users before the window opened; the rest sign up during it.
      const signupDay = trng.chance(0.45) ? -1 - trng.int(180) : trng.int(Math.max(1, Math.floor(o.days)));
      let churnDay = Infinity;
      let returnDay = Infinity;
      if (trng.chance(0.3)) {
        churnDay = Math.max(signupDay, 0) + 1 + Math.floor(trng.exponential(Math.max(2, o.days * 0.3)));
        if (trng.chance(0.35)) returnDay = churnDay + 3 + Math.floor(trng.exponential(Math.max(2, o.days * 0.25)));
      }
      const versionLagDays =
        platform === 'web' ? trng.next() : trng.chance(0.85) ? trng.exponential(4) : trng.exponential(35);
      let uid = `usr_${trng.hex(4)}`;
      while (usedIds.has(uid)) uid = `usr_${trng.hex(4)}${i}`;
      usedIds.add(uid);
      users.push({
        id: uid,
        country,
        platform,
        activity: trng.logNormal(1, 0.9),
        signupDay,
        churnDay,
        returnDay,
        versionLagDays,
        convBase: trng.int(1 << 30),
        lastSeenUtcDay: Number.NaN,
        everSeen: signupDay < 0,
        versionCacheDay: Number.NaN,
        version: '',
      });
    }
    return {
      id,
      scale: scale / meanScale,
      users,
      conversations: Math.max(4, Math.floor(o.usersPerTenant * 0.6)),
      releases: buildReleases(o, trng),
      day: Number.NaN,
      noise: 1,
      overhead: 1.15,
      drawsToday: 0,
      emittedToday: 0,
      countries: [],
    };
  });
}

/** A release every ~2 weeks from 4 months before the window to its end; some get a hotfix a few days later. */
function buildReleases(o: ResolvedDemoOptions, rng: Rng): Release[] {
  const releases: Release[] = [];
  let at = o.startMs - 120 * DAY_MS;
  let j = 0;
  while (at < o.endMs) {
    const version = `${5 + Math.floor(j / 10)}.${j % 10}`;
    releases.push({ atMs: at, version: `${version}.0` });
    if (rng.chance(0.3)) releases.push({ atMs: at + (2 + rng.int(3)) * DAY_MS, version: `${version}.1` });
    at += (11 + rng.int(7)) * DAY_MS;
    j++;
  }
  return releases;
}

function isActive(user: DemoUser, day: number): boolean {
  return day >= user.signupDay && (day < user.churnDay || day >= user.returnDay);
}

function refreshDay(tenant: TenantModel, day: number, rng: Rng): void {
  if (tenant.drawsToday >= 100) tenant.overhead = tenant.emittedToday / tenant.drawsToday;
  tenant.drawsToday = 0;
  tenant.emittedToday = 0;
  tenant.day = day;
  tenant.noise = rng.logNormal(1, 0.08);
  const byCountry = new Map<DemoCountry, DemoUser[]>();
  let total = 0;
  for (const u of tenant.users) {
    if (!isActive(u, day)) continue;
    let list = byCountry.get(u.country);
    if (!list) byCountry.set(u.country, (list = []));
    list.push(u);
    total += u.activity;
  }
  tenant.countries = [];
  for (const [country, list] of byCountry) {
    const table = new WeightedTable(list.map((u) => [u, u.activity] as const));
    tenant.countries.push({
      country,
      offsetMs: COUNTRY_UTC_OFFSET_HOURS[country] * HOUR_MS,
      share: total > 0 ? table.total / total : 0,
      table,
    });
  }
}

function versionOf(tenant: TenantModel, user: DemoUser, ts: number): string {
  const utcDay = Math.floor(ts / DAY_MS);
  if (user.versionCacheDay === utcDay) return user.version;
  const seenAt = ts - user.versionLagDays * DAY_MS;
  let version = tenant.releases[0]?.version ?? '5.0.0';
  for (const r of tenant.releases) {
    if (r.atMs <= seenAt) version = r.version;
    else break;
  }
  user.versionCacheDay = utcDay;
  user.version = version;
  return version;
}

function conversationId(tenant: TenantModel, user: DemoUser, rng: Rng): string {
  const idx = (user.convBase + rng.int(6)) % tenant.conversations;
  return `conv_${idx.toString(36).padStart(4, '0')}`;
}

function emitFor(
  tenant: TenantModel,
  user: DemoUser,
  ts: number,
  rng: Rng,
  nextEventId: () => string,
  out: DemoEvent[]
): void {
  const context = {
    device: DEVICE_OF[user.platform],
    platform: user.platform,
    app_version: versionOf(tenant, user, ts),
    country: user.country,
  };
  const make = (type: DemoEventType, properties: DemoEvent['properties']): DemoEvent => ({
    event_id: nextEventId(),
    type,
    tenant_id: tenant.id,
    user_id: user.id,
    timestamp: ts,
    properties,
    context,
  });

  const utcDay = Math.floor(ts / DAY_MS);
  if (user.lastSeenUtcDay !== utcDay) {
    // First appearance of the day: a session starts (and often a login; always on the very first visit).
    user.lastSeenUtcDay = utcDay;
    const first = !user.everSeen;
    user.everSeen = true;
    if (first || rng.chance(0.3)) {
      out.push(
        make(
          'login',
          first ? { method: LOGIN_METHODS.pick(rng), first_login: true } : { method: LOGIN_METHODS.pick(rng) }
        )
      );
    }
    out.push(make('user_active', { session: 'start' }));
  }

  const type = PRIMARY_TYPES.pick(rng);
  out.push(make(type, propertiesFor(type, tenant, user, rng)));
}

function propertiesFor(type: DemoEventType, tenant: TenantModel, user: DemoUser, rng: Rng): DemoEvent['properties'] {
  switch (type) {
    case 'message_sent': {
      const messageType = MESSAGE_TYPES.pick(rng);
      const conversation_id = conversationId(tenant, user, rng);
      switch (messageType) {
        case 'text':
          return {
            message_type: 'text',
            conversation_id,
            length: clampInt(rng.logNormal(38, 0.9), 1, 4000),
          };
        case 'image':
          return {
            message_type: 'image',
            conversation_id,
            size_bytes: clampInt(rng.logNormal(350_000, 0.8), 2_000, 25_000_000),
          };
        case 'file': {
          const [mime, median] = MIME_TYPES.pick(rng);
          return {
            message_type: 'file',
            conversation_id,
            mime,
            size_bytes: clampInt(rng.logNormal(median, 1.0), 100, 100_000_000),
          };
        }
        case 'voice': {
          const duration = clampInt(rng.logNormal(14, 0.7), 1, 900);
          return { message_type: 'voice', conversation_id, duration_s: duration, size_bytes: duration * 4_000 };
        }
      }
      break;
    }
    case 'call_started':
      return {
        call_type: rng.chance(0.62) ? 'audio' : 'video',
        conversation_id: conversationId(tenant, user, rng),
        duration_s: clampInt(rng.logNormal(240, 1.0), 5, 14_400),
        participants: rng.chance(0.75) ? 2 : rng.range(3, 12),
      };
    case 'file_shared': {
      const [mime, median] = MIME_TYPES.pick(rng);
      return {
        mime,
        size_bytes: clampInt(rng.logNormal(median, 1.0), 100, 100_000_000),
        conversation_id: conversationId(tenant, user, rng),
      };
    }
    case 'user_active':
      return { session: 'resume' };
    case 'login':
      return { method: LOGIN_METHODS.pick(rng) };
    case 'reaction_added':
      return { emoji: rng.pick(EMOJI), conversation_id: conversationId(tenant, user, rng) };
    case 'search_performed':
      return {
        scope: rng.pick(SEARCH_SCOPES),
        query_length: clampInt(rng.logNormal(12, 0.6), 1, 200),
        results_count: Math.floor(rng.exponential(25)),
        latency_ms: clampInt(rng.logNormal(45, 0.6), 1, 10_000),
      };
    case 'group_created':
      return {
        group_id: `grp_${rng.hex(4)}`,
        member_count: clampInt(3 + rng.exponential(6), 3, 500),
      };
  }
  return {};
}

function clampInt(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(x)));
}
