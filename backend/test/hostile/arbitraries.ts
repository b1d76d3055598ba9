import fc from 'fast-check';

/**
 * Random and adversarial values for the hostile suite (test/hostile.test.ts): every unicode plane,
 * lone UTF-16 surrogates, NUL and control characters, SQL-looking text, huge and tiny numbers,
 * deep and wide JSON, odd time zones and extreme instants.
 */

export const DAY = 86_400_000;
/** The suite's "now": valid event timestamps are generated around it (well inside the 400-day window). */
export const T0 = Date.now();

/**
 * A JSON fragment sent verbatim: numbers JSON.stringify cannot write (1e1000, -0, 2**53+1 exactly),
 * 20,000-deep nesting (JSON.stringify of the parsed value overflows the stack) or long strings.
 * Counterexamples print its label, not its text.
 */
export class Raw {
  constructor(
    readonly text: string,
    readonly label: string
  ) {}
  [fc.toStringMethod](): string {
    return `Raw(${this.label})`;
  }
}

/** JSON text of a value whose leaves may be Raw; keys are written as they are (own '__proto__' included). */
export function toJson(v: unknown): string {
  if (v instanceof Raw) {
    return v.text;
  }
  if (Array.isArray(v)) {
    return `[${v.map(toJson).join(',')}]`;
  }
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .map((k) => `${JSON.stringify(k)}:${toJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Sets an own enumerable key (also '__proto__', which plain assignment would turn into a prototype change). */
export function put(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

export const cpLen = (s: string): number => [...s].length;
export const clip = (s: string, n: number): string => (s.length <= n ? s : [...s].slice(0, n).join(''));
const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const isWellFormed = (s: string): boolean => !LONE.test(s);

export const LONE_SURROGATES = [
  '\ud800',
  '\udfff',
  '\udbff',
  '\udc00',
  'a\ud800',
  '\udfffz',
  'x\udc00\ud800y',
  '\ud83d',
  '\ude00\ud83d',
];
export const CONTROL = [
  '\u0000',
  'a\u0000b',
  '\u0000\u0000\u0000',
  '\u0001\u0002\u0003\u0004',
  '\u001b[31mred\u001b[0m',
  '\u007f',
  '\r\n',
  '\t',
  '\b\f\v',
  '\u0085',
  '\u2028\u2029',
  '\ufeff',
  '\u200b\u200c\u200d',
  '\u202eevil\u202c',
  '\ufffe',
  '\uffff',
  '\ufffd',
  '\\',
  '"',
  "'",
  '`',
];
export const SQLISH = [
  "'; DROP TABLE events; --",
  "tenant_id = 'x' OR 1=1",
  "' OR '1'='1",
  '" OR ""="',
  "'); DROP TABLE tenants; --",
  "x' UNION ALL SELECT * FROM system.tables --",
  '{p0:String}',
  '{tenant:String}',
  '$1',
  '?',
  'NULL',
  '%00',
  '%s%n%x',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '\\N',
  'SELECT 1; SELECT 2',
  '/* */ --',
];
export const UNICODE = [
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '😀👩‍👩‍👧‍👦🏳️‍🌈',
  '\u{10ffff}',
  '\u{e0001}\u{e0041}',
  '\u{f0000}',
  '\u{2a6d6}',
  'ﷺ',
  'Ω≈ç√∫',
  'עברית العربية',
  '中文日本語한국어',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗',
  'ǅǈ',
  'ß',
  'İı',
  '\u0301',
  'ｆｕｌｌ',
];
export const NANISH = [
  'NaN',
  '-NaN',
  'Infinity',
  '-Infinity',
  'nan',
  'inf',
  'null',
  'undefined',
  'true',
  '1e308',
  '-1e308',
  '1e1000',
  '0x1F',
  '1_000',
  ' 1 ',
  '',
  '-0',
  '+0',
  '9223372036854775808',
  '-9223372036854775809',
  '18446744073709551616',
  '99999999999999999999999',
  '9007199254740993',
];

const noSurrogate = (c: number) => c < 0xd800 || c > 0xdfff;
/** One code point from any of the 17 planes (never a surrogate). */
export const anyPlaneChar = fc
  .integer({ min: 0, max: 16 })
  .chain((p) => fc.integer({ min: p * 0x10000, max: p * 0x10000 + 0xffff }))
  .filter(noSurrogate)
  .map((c) => String.fromCodePoint(c));

const fragment = fc.oneof(
  anyPlaneChar,
  fc.constantFrom(...CONTROL, ...SQLISH, ...UNICODE, ...NANISH),
  fc.string({ unit: 'binary', maxLength: 6 })
);

/** Well-formed UTF-16 (no lone surrogates) of at most `max` code points: every plane, control characters, SQL-looking and NaN-ish text. */
export function wellFormed(max = 64, min = 0): fc.Arbitrary<string> {
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: max }) },
      { weight: 3, arbitrary: fc.array(fragment, { maxLength: 10 }).map((a) => a.join('')) },
      { weight: 2, arbitrary: fc.constantFrom(...CONTROL, ...SQLISH, ...UNICODE, ...NANISH) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) }
    )
    .map((s) => {
      const c = clip(s, max);
      return cpLen(c) >= min ? c : c + 'x'.repeat(min - cpLen(c));
    });
}

/** A string with at least one lone surrogate (JSON.stringify writes it as a \\udXXX escape). */
export function withLoneSurrogate(max = 64): fc.Arbitrary<string> {
  const lone = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
  return fc
    .oneof(
      fc.tuple(wellFormed(8), fc.constantFrom(...LONE_SURROGATES), wellFormed(8)).map(([a, b, c]) => a + b + c),
      fc.string({ unit: lone, minLength: 1, maxLength: 4 })
    )
    .map((s) => clip(s, max))
    .filter((s) => !isWellFormed(s));
}

/** Any string, lone surrogates included. */
export function hostileString(max = 64): fc.Arbitrary<string> {
  return fc.oneof({ weight: 4, arbitrary: wellFormed(max) }, { weight: 1, arbitrary: withLoneSurrogate(max) });
}

/** A long string as Raw JSON (printed as e.g. "x"×5000). */
export function longString(min: number, max: number): fc.Arbitrary<Raw> {
  return fc
    .tuple(fc.integer({ min, max }), fc.constantFrom('x', 'é', '😀', '\u0000', "'", '\\', '"', '\u202e'))
    .map(([n, c]) => new Raw(JSON.stringify(c.repeat(n)), `${JSON.stringify(c)}×${n}`));
}

export const HOSTILE_NUMBER_TEXTS = [
  '1e308',
  '-1e308',
  '1.7976931348623157e308',
  '1e1000',
  '-1e1000',
  '9223372036854775808',
  '-9223372036854775808',
  '9223372036854775807',
  '18446744073709551616',
  '9007199254740993',
  '-9007199254740993',
  '-0',
  '0',
  '5e-324',
  '1e-400',
  '8640000000000001',
  '-8640000000000001',
  '1e20',
  '99999999999999999999999',
  '0.1',
  '4294967296',
  '1E+2',
];
/** Huge, tiny and imprecise numbers (as their exact JSON text), doubles and big integers. */
export const hostileNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...HOSTILE_NUMBER_TEXTS).map((t) => new Raw(t, t)),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((b) => new Raw(b.toString(), b.toString()))
);

/** Values of the wrong JSON type for a string field. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
  hostileNumber
);

/** Nesting `depth` levels deep, as JSON text (JSON.stringify of the parsed value overflows at 20,000). */
export function deepText(depth: number, shape: 'object' | 'array' | 'mixed'): string {
  if (shape === 'object') {
    return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  }
  if (shape === 'array') {
    return '['.repeat(depth) + '1' + ']'.repeat(depth);
  }
  return '{"a":['.repeat(depth / 2) + '1' + ']}'.repeat(depth / 2);
}
export const deepJson: fc.Arbitrary<Raw> = fc
  .tuple(
    fc.constantFrom(64, 1000, 5000, 20_000),
    fc.constantFrom('object' as const, 'array' as const, 'mixed' as const)
  )
  .map(([d, shape]) => new Raw(deepText(d, shape), `${shape} ${d} deep`));
export const deepObject: fc.Arbitrary<Raw> = fc
  .constantFrom(1000, 5000, 20_000)
  .map((d) => new Raw(deepText(d, 'object'), `object ${d} deep`));
export const wideJson: fc.Arbitrary<Raw> = fc
  .tuple(fc.constantFrom(1000, 10_000, 30_000), fc.boolean())
  .map(([n, obj]) =>
    obj
      ? new Raw(`{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`, `object of ${n} keys`)
      : new Raw(`[${Array.from({ length: n }, (_, i) => i).join(',')}]`, `array of ${n} items`)
  );
export const wideObject: fc.Arbitrary<Raw> = fc
  .constantFrom(1000, 10_000)
  .map((n) => new Raw(`{${Array.from({ length: n }, (_, i) => `"k${i}":"v${i}"`).join(',')}}`, `object of ${n} keys`));

// ---------------------------------------------------------------------------------------------
// Events

export const EVENT_KEYS = ['event_id', 'type', 'tenant_id', 'user_id', 'timestamp', 'properties', 'context'];
export const CONTEXT_KEYS = ['device', 'platform', 'app_version', 'country'];
const TYPE_RE = /^[a-z][a-z0-9_.:-]{0,63}$/;
export const KNOWN_TYPES = ['message_sent', 'call_started', 'file_shared', 'user_active', 'login'];
export const eventType = fc.oneof(fc.constantFrom(...KNOWN_TYPES), fc.stringMatching(TYPE_RE));

/** Timestamps inside the accepted window, in every accepted form. */
export const validTimestamp: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.integer({ min: -399 * DAY, max: 60_000 }),
    fc.constantFrom('ms', 'frac', 'iso', 'iso-s', 'offset+', 'offset-', 'exp')
  )
  .map(([off, form]) => {
    const ms = T0 + off;
    const iso = new Date(ms).toISOString();
    switch (form) {
      case 'ms':
        return ms;
      case 'frac':
        return ms + 0.25;
      case 'iso':
        return iso;
      case 'iso-s':
        return iso.replace(/\.\d{3}Z$/, 'Z');
      case 'offset+':
        return new Date(ms + 330 * 60_000).toISOString().slice(0, 23) + '+05:30';
      case 'offset-':
        return new Date(ms - 8 * 3_600_000).toISOString().slice(0, 23) + '-08:00';
      default:
        return new Raw(`${ms / 1000}e3`, `${ms / 1000}e3`);
    }
  });

/** A timestamp string is definitely rejected: unreadable, or far outside the accepted window. */
const badTsString = (s: string): boolean => {
  if (cpLen(s) > 40) {
    return true;
  }
  const ms = Date.parse(s);
  return Number.isNaN(ms) || ms < T0 - 401 * DAY || ms > T0 + 3_600_000;
};
export const HOSTILE_TIMESTAMP_TEXTS = [
  '1e308',
  '-1e308',
  '1e1000',
  '-1e1000',
  '9223372036854775808',
  '-9223372036854775808',
  '9223372036854775807',
  '18446744073709551616',
  '9007199254740993',
  '8640000000000001',
  '-8640000000000001',
  '1e20',
  '-0',
  '0',
  '-1',
  '1',
  '99999999999',
  '1700000000',
  '5e-324',
];
export const HOSTILE_TIMESTAMP_STRINGS = [
  '1900-01-01',
  '1900-01-01T00:00:00Z',
  '+275760-09-12T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '-271821-04-20T00:00:00Z',
  '-271821-04-19T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '1969-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00Z',
  '2106-02-07T06:28:16Z',
  '2262-04-11T23:47:16.854Z',
  '2299-12-31T23:59:59Z',
  '9999-12-31T23:59:59Z',
  '2024-02-30T25:61:61Z',
  'yesterday',
  'now',
  'day',
  '',
  '9007199254740993',
  '1e308',
  ...NANISH,
  ...SQLISH,
].filter(badTsString);

/** Timestamps every correct backend rejects (epoch seconds, too old, too far ahead, unreadable, wrong type). */
export const invalidTimestamp: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...HOSTILE_TIMESTAMP_TEXTS).map((t) => new Raw(t, t)),
  fc.constantFrom(
    2 ** 63,
    -(2 ** 63),
    2 ** 64,
    1e308,
    -1e308,
    2 ** 53 + 2,
    Number.MIN_VALUE,
    8.64e15,
    -8.64e15,
    1e20,
    T0 + 3_600_000,
    T0 - 401 * DAY,
    T0 + 1e12
  ),
  fc.integer({ min: 1, max: 1e11 - 1 }),
  fc.integer({ min: -(2 ** 53), max: 0 }),
  fc.constantFrom(...HOSTILE_TIMESTAMP_STRINGS),
  wellFormed(40).filter(badTsString),
  longString(41, 300),
  fc.oneof(fc.constant(null), fc.boolean(), fc.constant({}), fc.constant([]), fc.constant([T0]))
);

const propValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: wellFormed(64) },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: longString(300, 1000) }
);

/** Properties the contract accepts (keys ≤ 128 code points, any JSON values). */
export const validProperties: fc.Arbitrary<Record<string, unknown>> = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom('message_type', 'email', '__proto__', 'constructor', '', 'a.b', 'x'.repeat(128)),
        wellFormed(128)
      ),
      propValue
    ),
    {
      maxLength: 6,
    }
  )
  .map((entries) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      put(o, k, v);
    }
    return o;
  });

export const validContext: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.record(
      {
        device: wellFormed(64),
        platform: wellFormed(64),
        app_version: wellFormed(64),
        country: fc.stringMatching(/^[A-Za-z]{2}$/),
      },
      { requiredKeys: [] }
    ),
    fc.array(
      fc.tuple(
        wellFormed(20).filter((k) => !CONTEXT_KEYS.includes(k)),
        fc.jsonValue({ maxDepth: 1 })
      ),
      { maxLength: 2 }
    )
  )
  .map(([known, extra]) => {
    const o: Record<string, unknown> = { ...known };
    for (const [k, v] of extra) {
      put(o, k, v);
    }
    return o;
  });

/** An event template without tenant_id and event_id (the test sets both per run). */
export interface EventTemplate {
  type: unknown;
  user_id: unknown;
  timestamp: unknown;
  properties?: Record<string, unknown>;
  context?: Record<string, unknown>;
  /** appended to the run's unique event_id prefix */
  idTail: string;
}

export const validEvent: fc.Arbitrary<EventTemplate> = fc.record(
  {
    type: eventType,
    user_id: wellFormed(256, 1),
    timestamp: validTimestamp,
    properties: validProperties,
    context: validContext,
    idTail: wellFormed(60),
  },
  { requiredKeys: ['type', 'user_id', 'timestamp', 'idTail'] }
);

/** One change that makes an otherwise valid event invalid under the contract. */
export type Mutation =
  | { m: 'set'; field: string; value: unknown }
  | { m: 'delete'; field: string }
  | { m: 'unknown-field'; field: string; value: unknown }
  | { m: 'prop-key-long'; key: string }
  | { m: 'ctx'; field: string; value: unknown }
  | { m: 'ctx-replace'; value: unknown }
  | { m: 'tenant-other'; value: string }
  | { m: 'not-object'; value: unknown };

const longCp = (min: number, max: number) =>
  fc.tuple(fc.integer({ min, max }), fc.constantFrom('x', '😀', 'é')).map(([n, c]) => c.repeat(n));

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    m: fc.constant('set' as const),
    field: fc.constant('type'),
    value: fc.oneof(
      wellFormed(80).filter((s) => !TYPE_RE.test(s)),
      wrongType
    ),
  }),
  fc.record({
    m: fc.constant('set' as const),
    field: fc.constant('user_id'),
    value: fc.oneof(fc.constant(''), longString(257, 3000), longCp(257, 400), wrongType),
  }),
  fc.record({
    m: fc.constant('set' as const),
    field: fc.constant('tenant_id'),
    value: fc.oneof(fc.constant(''), longCp(64, 200), wrongType),
  }),
  {
    weight: 3,
    arbitrary: fc.record({ m: fc.constant('set' as const), field: fc.constant('timestamp'), value: invalidTimestamp }),
  },
  fc.record({
    m: fc.constant('set' as const),
    field: fc.constant('event_id'),
    value: fc.oneof(fc.constant(''), longCp(129, 300), wrongType),
  }),
  fc.record({
    m: fc.constant('set' as const),
    field: fc.constant('properties'),
    value: fc.oneof(
      wellFormed(20),
      fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
      fc.integer(),
      fc.constant(null),
      fc.boolean(),
      hostileNumber
    ),
  }),
  fc.record({ m: fc.constant('delete' as const), field: fc.constantFrom('type', 'tenant_id', 'user_id', 'timestamp') }),
  fc.record({
    m: fc.constant('unknown-field' as const),
    field: fc
      .oneof(
        fc.constantFrom(
          'colour',
          '__proto__',
          'constructor',
          'Type',
          'TYPE',
          'tenant',
          '',
          ' type',
          'type ',
          "'; DROP TABLE events; --",
          'type\u0000'
        ),
        wellFormed(40)
      )
      .filter((k) => !EVENT_KEYS.includes(k)),
    value: fc.jsonValue({ maxDepth: 2 }),
  }),
  fc.record({
    m: fc.constant('ctx' as const),
    field: fc.constantFrom('device', 'platform', 'app_version'),
    value: fc.oneof(longCp(65, 300), wrongType),
  }),
  fc.record({
    m: fc.constant('ctx' as const),
    field: fc.constant('country'),
    value: fc.oneof(
      wellFormed(6).filter((s) => !/^[A-Za-z]{2}$/.test(s)),
      fc.constantFrom('USA', 'u', '12', 'D€', 'ÄÖ', '\u0000\u0000'),
      wrongType
    ),
  }),
  fc.record({
    m: fc.constant('ctx-replace' as const),
    value: fc.oneof(wellFormed(10), fc.integer(), fc.constant(null), fc.constant([]), fc.boolean()),
  }),
  {
    weight: 2,
    arbitrary: fc.record({
      m: fc.constant('tenant-other' as const),
      value: fc.constantFrom(
        'delta',
        'zz-nobody',
        'GAMMA',
        'gamma ',
        ' gamma',
        "gamma' OR 1=1 --",
        'gamma\u0000',
        '*',
        '%'
      ),
    }),
  },
  fc.record({
    m: fc.constant('not-object' as const),
    value: fc.oneof(
      fc.integer(),
      fc.constant(null),
      fc.boolean(),
      wellFormed(30),
      fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
      hostileNumber
    ),
  })
);

/** A line NDJSON intake cannot take as an event: not JSON, or JSON but not an object (never a newline, never blank). */
export const garbageLine: fc.Arbitrary<string> = fc
  .oneof(
    fc.constantFrom(
      '{"type": "message_sent", broken',
      '{',
      '}',
      '[',
      'nul\u0000l',
      '\u0000',
      '{"a":1}{"b":2}',
      'undefined',
      "{'single':'quotes'}",
      '{"a":1,}',
      'NaN',
      '{"type":"message_sent","tenant_id":"gamma","user_id":"u","timestamp":1e1000',
      '\u001b[2J',
      '\ufeff{}'
    ),
    wellFormed(200),
    fc.array(fragment, { minLength: 1, maxLength: 30 }).map((a) => a.join(''))
  )
  .map((s) => s.replace(/\n/g, ' '))
  .filter((s) => {
    if (s.trim().length === 0) {
      return false;
    }
    try {
      const v: unknown = JSON.parse(s.trim());
      return v === null || typeof v !== 'object' || Array.isArray(v);
    } catch {
      return true;
    }
  });

export type ItemSpec =
  | { kind: 'valid'; ev: EventTemplate }
  | { kind: 'invalid'; ev: EventTemplate; mut: Mutation }
  | { kind: 'garbage'; line: string };

export const itemSpec: fc.Arbitrary<ItemSpec> = fc.oneof(
  { weight: 4, arbitrary: validEvent.map((ev) => ({ kind: 'valid' as const, ev })) },
  { weight: 3, arbitrary: fc.tuple(validEvent, mutation).map(([ev, mut]) => ({ kind: 'invalid' as const, ev, mut })) },
  { weight: 1, arbitrary: garbageLine.map((line) => ({ kind: 'garbage' as const, line })) }
);

export const NDJSON_TYPES = [
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
  'application/jsonlines',
];

export interface BatchSpec {
  items: ItemSpec[];
  format: 'array' | 'object' | 'ndjson';
  gzip: boolean;
  ndjsonType: string;
  jsonType: string;
  crlf: boolean;
  blankLines: boolean;
  key: 'ingest' | 'tenant-admin' | 'admin';
}

export function batchSpec(items: fc.Arbitrary<ItemSpec>, maxItems = 10): fc.Arbitrary<BatchSpec> {
  return fc.record({
    items: fc.array(items, { minLength: 1, maxLength: maxItems }),
    format: fc.constantFrom('array' as const, 'object' as const, 'ndjson' as const),
    gzip: fc.boolean(),
    ndjsonType: fc.constantFrom(...NDJSON_TYPES, 'application/x-ndjson; charset=utf-8'),
    jsonType: fc.constantFrom('application/json', 'application/json; charset=utf-8'),
    crlf: fc.boolean(),
    blankLines: fc.boolean(),
    key: fc.constantFrom('ingest' as const, 'tenant-admin' as const, 'admin' as const),
  });
}

// ---------------------------------------------------------------------------------------------
// Analytics

export const KINDS = [
  'timeseries',
  'active_users',
  'retention',
  'funnel',
  'cohorts',
  'top_n',
  'heatmap',
  'geo',
  'adoption',
] as const;
export type Kind = (typeof KINDS)[number];

/** `weight` of `weight + 1` valid, the rest hostile. */
export const mostly = <T, U>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<U>, weight = 4): fc.Arbitrary<T | U> =>
  fc.oneof({ weight, arbitrary: valid }, { weight: 1, arbitrary: hostile });

/** Present once in `n` cases, else undefined. */
export const sometimes = <T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: n - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

const QUERY_TYPES = [...KNOWN_TYPES, 'alpha_secret_type', 'beta_type'];
export const validFieldRef = fc.oneof(
  fc.constantFrom(
    'type',
    'platform',
    'device',
    'country',
    'app_version',
    'user_id',
    'properties.message_type',
    'properties.marker',
    'properties.duration_s'
  ),
  fc.stringMatching(/^[A-Za-z0-9_.:-]{1,24}$/).map((k) => `properties.${k}`)
);
export const hostileFieldRef: fc.Arbitrary<unknown> = fc.oneof(
  hostileString(40),
  fc.constantFrom(
    'tenant_id',
    'event_id',
    'timestamp',
    'properties.',
    "properties.'; DROP TABLE events; --",
    'properties.a b',
    "type' OR 1=1 --",
    `properties.${'k'.repeat(129)}`,
    'properties.\u0000',
    'properties.x\ud800'
  ),
  wrongType
);
/** Filter values: strings of any content (SQL, NUL, lone surrogates, other tenants' markers) and numbers. */
const filterString = fc.oneof(
  fc.constantFrom(
    'text',
    'ios',
    'ALPHASECRETUSER-1',
    'alpha_secret_type',
    'BETAUSER-1',
    "' OR 1=1 --",
    "tenant_id = 'alpha' OR 1=1",
    "x') OR ('1'='1"
  ),
  hostileString(40),
  longString(100, 1000).map((r) => JSON.parse(r.text) as string)
);
/** A filter the contract accepts (its value may hold anything a string or a number can). */
export const validFilter: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ field: validFieldRef, op: fc.constantFrom('=', '!=', 'contains'), value: filterString }),
  fc.record({
    field: validFieldRef,
    op: fc.constantFrom('in', 'not_in'),
    value: fc.array(fc.oneof(filterString, fc.integer()), { minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    field: fc.oneof(fc.constant('properties.duration_s'), validFieldRef),
    op: fc.constantFrom('>', '>=', '<', '<='),
    value: fc.oneof(
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(1e308, -1e308, 2 ** 63, 5e-324, -0)
    ),
  })
);

/** An instant: epoch ms, ISO 8601, a date, or digits (Raw for numbers beyond 2**53, which must stay exact). */
export function encodeInstant(ms: number, enc: 'number' | 'iso' | 'date' | 'digits'): unknown {
  const d = new Date(ms);
  const ok = Number.isFinite(d.getTime());
  switch (enc) {
    case 'number':
      return ms;
    case 'iso':
      return ok ? d.toISOString() : ms;
    case 'date':
      return ok ? d.toISOString().slice(0, 10) : ms;
    default:
      return Number.isFinite(ms) && Math.abs(ms) < 1e300 ? BigInt(Math.round(ms)).toString() : String(ms);
  }
}
const ENCODINGS = ['number', 'iso', 'date', 'digits'] as const;
const SPANS = [1, 60_000, 3_600_000, DAY, 7 * DAY, 31 * DAY, 64 * DAY, 100 * DAY, 365 * DAY, 731 * DAY];

/** Ranges over the recent data (the kind of query a dashboard sends). */
export const recentRange = fc
  .tuple(
    fc.integer({ min: -3 * DAY, max: 2 * DAY }),
    fc.constantFrom(...SPANS, ...SPANS, 732 * DAY),
    fc.constantFrom(...ENCODINGS)
  )
  .map(([off, span, enc]) => ({ from: encodeInstant(T0 + off - span, enc), to: encodeInstant(T0 + off, enc) }));

/** Starts of early, late and out-of-range windows: epoch 0, 1900, 2106 (DateTime's end), 2299, 2**53, Date's end, ±2**63, 1e308. */
export const EXTREME_STARTS = [
  0,
  1,
  -1,
  DAY,
  -DAY,
  Date.UTC(1899, 11, 31),
  Date.UTC(1900, 0, 1),
  Date.UTC(1925, 0, 1),
  Date.UTC(1969, 11, 31),
  Date.UTC(1969, 11, 31, 23, 59, 59, 999),
  Date.UTC(1970, 0, 1, 0, 0, 0, 1),
  -(2 ** 31) * 1000,
  2 ** 31 * 1000,
  2 ** 32 * 1000 - 7 * DAY,
  2 ** 32 * 1000,
  Date.UTC(2149, 5, 1),
  Date.UTC(2262, 3, 1),
  Date.UTC(2299, 11, 1),
  Date.UTC(2300, 0, 1),
  Date.UTC(9999, 11, 1),
  new Date('0000-01-01T00:00:00Z').getTime(),
  new Date('-000001-01-01T00:00:00Z').getTime(),
  2 ** 53 - 40 * DAY,
  2 ** 53,
  8.64e15 - 40 * DAY,
  8.64e15,
  -8.64e15,
  1e16,
  1e20,
  2 ** 63,
  -(2 ** 63),
  1e308,
  -1e308,
];
export const HOSTILE_INSTANTS: unknown[] = [
  new Raw('9007199254740993', '9007199254740993'),
  '9007199254740993',
  new Raw('1e1000', '1e1000'),
  new Raw('-0', '-0'),
  new Raw('9223372036854775808', '9223372036854775808'),
  '9223372036854775808',
  '99999999999999999999999',
  '+275760-09-12T00:00:00Z',
  '-271821-04-20T00:00:00Z',
  '1900-01-01',
  '0000-01-01',
  '2106-02-07T06:28:16Z',
  '2299-12-31',
  '9999-12-31',
  'day',
  'NaN',
  'Infinity',
  'now',
  '$__from',
  '2024-02-30',
  '2024-13-01',
  '2024-01-01T24:00:00Z',
  '2024-01-01\u0000',
  "2024-01-01' OR 1=1",
  '',
  'abc',
];
/** Early, late and out-of-range windows (of every length up to the 731-day limit), and hostile instant pairs. */
export const extremeRange: fc.Arbitrary<{ from: unknown; to: unknown }> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom(...EXTREME_STARTS), fc.constantFrom(...SPANS), fc.constantFrom(...ENCODINGS))
      .map(([x, span, enc]) => ({ from: encodeInstant(x, enc), to: encodeInstant(x + span, enc) })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      { from: new Raw('9007199254740993', '9007199254740993'), to: new Raw('9007199254740999', '9007199254740999') },
      { from: '9007199254740993', to: '9007199254741993' },
      { from: 9007199254740000, to: 9007199254749999 },
      { from: '8639999999999999', to: '8640000000000001' },
      { from: '1900-01-01', to: '1900-02-01' },
      { from: '1899-12-01', to: '1900-01-15' },
      { from: 0, to: 86_400_000 },
      { from: -86_400_000, to: 86_400_000 }
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...HOSTILE_INSTANTS),
        fc.oneof(
          fc.constantFrom(...HOSTILE_INSTANTS),
          recentRange.map((r) => r.to)
        )
      )
      .map(([from, to]) => ({ from, to })),
  }
);

/** IANA names, names ClickHouse or the JS runtime may not know, and names that are not zones. */
export const TIMEZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Pacific/Kiritimati',
  'Etc/GMT+12',
  'Etc/GMT-14',
  'America/Argentina/Buenos_Aires',
  'Mars/Olympus',
  'right/UTC',
  'posix/Europe/Berlin',
  'day',
  'utc',
  'GMT',
  'GMT0',
  'Etc/GMT+15',
  'Etc/GMT-15',
  'EST5EDT',
  'Factory',
  'localtime',
  'Z',
  'Europe/Kyiv',
  'Europe/Kiev',
  'America/Ciudad_Juarez',
  'US/Pacific-New',
  'Antarctica/Troll',
  'Europe/Nowhere',
  'A/B/C',
  'Etc/Unknown',
  'SystemV/AST4',
];
const supportedZones = (): string[] => {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
};
export const timezone: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TIMEZONES) },
  { weight: 2, arbitrary: fc.constantFrom(...supportedZones()) },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z_]{1,12}(\/[A-Za-z0-9_+-]{1,12}){0,2}$/) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      hostileString(64),
      fc.constantFrom('UTC; DROP TABLE events', "UTC')--", '../../../etc/passwd', 'Europe/Berlin\u0000'),
      wrongType
    ),
  }
);

/** A hostile value for any field of a query. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString(80),
  longString(65, 1200),
  wrongType,
  hostileNumber,
  fc.constantFrom(...HOSTILE_INSTANTS),
  fc.anything({ maxDepth: 2 })
);

/** Valid kind-specific fields with random choices (the query then runs). */
const kindFields: Record<Kind, fc.Arbitrary<Record<string, unknown>>> = {
  timeseries: fc.record(
    {
      metric: fc.oneof(
        fc.constant({ type: 'events' }),
        fc.constant({ type: 'unique_users' }),
        fc.record({
          type: fc.constantFrom('sum', 'avg', 'p95'),
          property: fc.oneof(
            fc.constant('properties.duration_s'),
            validFieldRef.filter((f) => f.startsWith('properties.'))
          ),
        })
      ),
      group_by: fc.array(validFieldRef, { maxLength: 2 }),
      granularity: fc.constantFrom('minute', 'hour', 'day', 'week', 'month'),
      interval_ms: fc.oneof(fc.integer({ min: 1, max: 86_400_000 }), fc.constantFrom(1, 2 ** 31, 2 ** 53)),
    },
    { requiredKeys: ['metric'] }
  ),
  active_users: fc.constant({}),
  retention: fc.record({
    cohort_event: fc.oneof(fc.constantFrom(...QUERY_TYPES), hostileString(64)),
    return_event: fc.oneof(fc.constantFrom(...QUERY_TYPES), hostileString(64)),
    period: fc.constantFrom('day', 'week'),
    periods: fc.integer({ min: 1, max: 52 }),
  }),
  funnel: fc.record(
    {
      steps: fc.array(
        fc.record(
          {
            event_type: fc.oneof(fc.constantFrom(...QUERY_TYPES), hostileString(64)),
            filters: fc.array(validFilter, { maxLength: 2 }),
            label: hostileString(100),
          },
          { requiredKeys: ['event_type'] }
        ),
        { minLength: 2, maxLength: 10 }
      ),
      window_seconds: fc.integer({ min: 1, max: 90 * 86400 }),
      breakdown: validFieldRef,
    },
    { requiredKeys: ['steps', 'window_seconds'] }
  ),
  cohorts: fc.record({ period: fc.constantFrom('day', 'week', 'month') }),
  top_n: fc.record(
    {
      field: validFieldRef,
      metric: fc.constantFrom('events', 'unique_users'),
      limit: fc.integer({ min: 1, max: 1000 }),
    },
    { requiredKeys: ['field'] }
  ),
  heatmap: fc.record(
    {
      timezone: fc.constantFrom('UTC', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns'),
      metric: fc.constantFrom('events', 'unique_users'),
    },
    { requiredKeys: [] }
  ),
  geo: fc.record({ metric: fc.constantFrom('events', 'unique_users') }, { requiredKeys: [] }),
  adoption: fc.record(
    {
      feature_event: fc.oneof(fc.constantFrom(...QUERY_TYPES), hostileString(64)),
      granularity: fc.constantFrom('day', 'week', 'month'),
    },
    { requiredKeys: ['feature_event'] }
  ),
};

const KIND_KEYS: Record<Kind, string[]> = {
  timeseries: ['metric', 'group_by', 'granularity', 'interval_ms'],
  active_users: [],
  retention: ['cohort_event', 'return_event', 'period', 'periods'],
  funnel: ['steps', 'window_seconds', 'breakdown'],
  cohorts: ['period'],
  top_n: ['field', 'metric', 'limit'],
  heatmap: ['timezone', 'metric'],
  geo: ['metric'],
  adoption: ['feature_event', 'granularity'],
};
const NESTED_PATHS = [
  ['filters', 0, 'field'],
  ['filters', 0, 'op'],
  ['filters', 0, 'value'],
  ['filters', 0, 'extra'],
  ['event_types', 0],
  ['metric', 'type'],
  ['metric', 'property'],
  ['group_by', 0],
  ['steps', 0, 'event_type'],
  ['steps', 1, 'filters'],
];

/** One hostile change to an otherwise valid query: a field set to a hostile value, a required field dropped, or an unknown field. */
export type QueryMutation =
  | { op: 'set'; path: Array<string | number>; value: unknown }
  | { op: 'drop'; key: string }
  | { op: 'extra'; key: string; value: unknown };

export interface QueryOptions {
  /** a range generator (recent or extreme by default) */
  range?: fc.Arbitrary<{ from: unknown; to: unknown }>;
  /** tenant_id values to try (undefined = omitted) */
  tenantIds?: fc.Arbitrary<unknown>;
  /** one hostile change in `1 of hostile` queries (0: none) */
  hostile?: number;
  kinds?: readonly Kind[];
}

function setPath(o: Record<string, unknown>, path: Array<string | number>, value: unknown): void {
  let cur: Record<string | number, unknown> = o;
  path.forEach((k, i) => {
    if (i === path.length - 1) {
      put(cur as Record<string, unknown>, String(k), value);
      return;
    }
    let next = cur[k];
    if (next === null || typeof next !== 'object') {
      next = typeof path[i + 1] === 'number' ? [] : {};
      cur[k] = next;
    }
    cur = next as Record<string | number, unknown>;
  });
}

/** A POST /v1/analytics/query body of any kind: valid (with hostile content in its strings), or with one hostile change. */
export function analyticsQuery(opts: QueryOptions = {}): fc.Arbitrary<Record<string, unknown>> {
  const range = opts.range ?? mostly(recentRange, extremeRange, 3);
  const tenantIds = opts.tenantIds ?? fc.constant(undefined);
  const hostile = opts.hostile ?? 0;
  return fc.constantFrom(...(opts.kinds ?? KINDS)).chain((kind) => {
    const keys = ['kind', 'from', 'to', 'tenant_id', 'event_types', 'filters', ...KIND_KEYS[kind]];
    const mutation = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          op: fc.constant('set' as const),
          path: fc.constantFrom(...keys).map((k) => [k]),
          value: hostileValue,
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record({
          op: fc.constant('set' as const),
          path: fc.constantFrom(...NESTED_PATHS),
          value: hostileValue,
        }),
      },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('drop' as const), key: fc.constantFrom(...keys) }) },
      {
        weight: 1,
        arbitrary: fc.record({
          op: fc.constant('extra' as const),
          key: fc.oneof(
            hostileString(20),
            fc.constantFrom('__proto__', 'constructor', 'sql', 'tenant', 'TENANT_ID', 'kind ')
          ),
          value: fc.jsonValue({ maxDepth: 1 }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          op: fc.constant('set' as const),
          path: fc.constant(['kind']),
          value: fc.constantFrom(
            'TIMESERIES',
            'timeseries ',
            '__proto__',
            'constructor',
            'toString',
            'hasOwnProperty',
            ''
          ),
        }),
      }
    ) as fc.Arbitrary<QueryMutation>;
    return fc
      .record({
        range,
        tenant_id: tenantIds,
        event_types: fc.option(
          fc.array(fc.oneof(fc.constantFrom(...QUERY_TYPES), hostileString(64)), { maxLength: 4 }),
          { nil: undefined }
        ),
        filters: fc.option(fc.array(validFilter, { maxLength: 3 }), { nil: undefined }),
        specific: kindFields[kind],
        mutation: hostile > 0 ? sometimes(mutation, hostile) : fc.constant(undefined),
      })
      .map(({ range: r, tenant_id, event_types, filters, specific, mutation: m }) => {
        const q: Record<string, unknown> = { kind, from: r.from, to: r.to };
        if (tenant_id !== undefined) {
          q.tenant_id = tenant_id;
        }
        if (event_types !== undefined) {
          q.event_types = event_types;
        }
        if (filters !== undefined) {
          q.filters = filters;
        }
        for (const [k, v] of Object.entries(specific)) {
          q[k] = structuredClone(v);
        }
        if (m?.op === 'set') {
          setPath(q, m.path, m.value);
        } else if (m?.op === 'drop') {
          delete q[m.key];
        } else if (m?.op === 'extra') {
          put(q, m.key, m.value);
        }
        return q;
      });
  });
}

/** Percent-encodes any string; lone surrogates become the (invalid UTF-8) bytes of their code unit. */
export function pct(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...s]
      .map((c) => {
        try {
          return encodeURIComponent(c);
        } catch {
          const u = c.charCodeAt(0);
          return [0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f)]
            .map((b) => '%' + b.toString(16).toUpperCase())
            .join('');
        }
      })
      .join('');
  }
}

/** Path segments and query values sent as they are (already encoded, or broken on purpose). */
export const RAW_URL_PARTS = [
  '%00',
  'a%00b',
  '%',
  '%zz',
  '%E0%A4%A',
  '%ED%A0%80',
  '%C0%AF',
  '%FF%FE',
  '..%2F..%2Fetc%2Fpasswd',
  '%2F',
  '%20',
  '+',
  '%2B',
  '%0D%0ASet-Cookie:x',
  '%27%3B%20DROP%20TABLE%20events%3B--',
];

/** A path segment the router itself accepts (valid percent-encoding, ≤ 100 characters): %00, %2F, CRLF, SQL, unicode. */
export const routablePathPart: fc.Arbitrary<string> = fc.oneof(
  wellFormed(8).map(encodeURIComponent),
  fc.constantFrom(
    '%00',
    'a%00b',
    '%2F',
    '%20',
    '+',
    '%2B',
    '%0D%0ASet-Cookie:x',
    '%27%3B%20DROP%20TABLE%20events%3B--',
    '..%2F..%2Fetc%2Fpasswd',
    '%F0%9F%98%80'
  )
);

/** A URL component: percent-encoded hostile text, or a raw broken encoding. */
export const urlPart: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: hostileString(80).map(pct) },
  { weight: 2, arbitrary: fc.constantFrom(...RAW_URL_PARTS) },
  { weight: 1, arbitrary: longString(1000, 5000).map((r) => pct(JSON.parse(r.text) as string)) }
);

/** Valid kind-specific fields (for properties where only the range is hostile). */
export const validKindFields: Record<Kind, fc.Arbitrary<Record<string, unknown>>> = {
  timeseries: fc.record(
    {
      metric: fc.constantFrom(
        { type: 'events' },
        { type: 'unique_users' },
        { type: 'p95', property: 'properties.duration_s' }
      ),
      group_by: fc.constantFrom([], ['type'], ['platform', 'properties.message_type']),
      granularity: fc.constantFrom('minute', 'hour', 'day', 'week', 'month'),
    },
    { requiredKeys: ['metric'] }
  ),
  active_users: fc.constant({}),
  retention: fc.record({
    cohort_event: fc.constantFrom('message_sent', 'login'),
    return_event: fc.constantFrom('message_sent', 'file_shared'),
    period: fc.constantFrom('day', 'week'),
    periods: fc.constantFrom(1, 7, 30, 52),
  }),
  funnel: fc.record({
    steps: fc.constant([{ event_type: 'login' }, { event_type: 'message_sent' }]),
    window_seconds: fc.constantFrom(1, 3600, 90 * 86400),
  }),
  cohorts: fc.record({ period: fc.constantFrom('day', 'week', 'month') }),
  top_n: fc.record({
    field: fc.constantFrom('user_id', 'type', 'country', 'properties.message_type'),
    metric: fc.constantFrom('events', 'unique_users'),
    limit: fc.constantFrom(1, 10, 1000),
  }),
  heatmap: fc.record({
    timezone: fc.constantFrom('UTC', 'Asia/Kolkata', 'America/New_York'),
    metric: fc.constantFrom('events', 'unique_users'),
  }),
  geo: fc.record({ metric: fc.constantFrom('events', 'unique_users') }, { requiredKeys: [] }),
  adoption: fc.record({
    feature_event: fc.constantFrom('file_shared', 'message_sent'),
    granularity: fc.constantFrom('day', 'week', 'month'),
  }),
};

/** A property key over the contract's 128 code points. */
export const longKeyMutation: fc.Arbitrary<Mutation> = fc.record({
  m: fc.constant('prop-key-long' as const),
  key: longCp(129, 400),
});

/**
 * Text for an endpoint's fields and path segments: random (UTF-16 and binary), and the values that
 * break naive code (empty, NUL, broken percent-encoding, a lone surrogate, SQL, a path escape,
 * numbers past every range, a long run), plus words of the endpoint's own domain.
 */
export function endpointText(domainWords: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('', ' ', '\u0000', '%00', '%', '%zz', '\ud800', '../../etc', '1e309', '-1', 'x'.repeat(500), ...domainWords)
  );
}

/** A path segment or query value as a client would send it (lone surrogates made well-formed first). */
export const encodeSegment = (s: string): string => encodeURIComponent(s.isWellFormed() ? s : s.toWellFormed());

/** A query string from generated parameters, each value encoded as a client would. */
export const queryString = (params: Record<string, string>): string =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${encodeSegment(v)}`)
    .join('&');
