import type { DataSourceJsonData } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import type {
  AnalyticsQuery,
  AnnotationsQuery,
  AnnotationsResponse,
  Filter,
  FilterOp,
  Frame,
  FrameField,
  FunnelStep,
  Granularity,
  Metric,
  QueryKind,
  QueryResponse,
  VariableName,
  VariableResponse,
} from '../../backend/src/contracts/analytics';
import type { SEARCH_ANALYTICS_SHOWS } from './constants';

// Types only: the contract is TypeBox, which must never reach the browser bundle.
export type {
  AnalyticsQuery,
  AnnotationsQuery,
  AnnotationsResponse,
  Filter,
  FilterOp,
  Frame,
  FrameField,
  FunnelStep,
  Granularity,
  Metric,
  QueryKind,
  QueryResponse,
  VariableName,
  VariableResponse,
};

/** Omit over each member of a union (plain Omit would collapse the discriminated union). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The contract's query of each kind minus what the panel supplies (range, tenant). */
type ContractBuilder = DistributiveOmit<AnalyticsQuery, 'from' | 'to' | 'tenant_id'>;

/** The part of a search analytics answer a query shows (constants.ts SEARCH_ANALYTICS_PARTS). */
export type SearchAnalyticsShow = (typeof SEARCH_ANALYTICS_SHOWS)[number];

/**
 * Fields the editor saves with a kind that are never sent (request.ts sends each kind's contract fields only).
 * `search_analytics` answers three frames and a panel draws one part of them: `show` picks it (toDataFrames).
 */
interface EditorOnlyFields {
  search_analytics: { show: SearchAnalyticsShow };
}

type WithEditorFields<B> = B extends { kind: infer K }
  ? K extends keyof EditorOnlyFields
    ? B & EditorOnlyFields[K]
    : B
  : never;

/** The part of a query the editor builds: the contract's query minus range and tenant, plus editor-only fields. */
export type AnalyticsBuilder = WithEditorFields<ContractBuilder>;

/**
 * Annotation queries (dashboard settings → Annotations) reuse the query model with a kind of their own; query() sends
 * them to POST /v1/analytics/annotations instead of /v1/analytics/query.
 */
export interface AnnotationsBuilder {
  kind: 'annotations';
  event_types: string[];
  /** property whose value is the annotation text, e.g. `version` */
  text_property?: string;
  limit?: number;
}

export type CaasBuilder = AnalyticsBuilder | AnnotationsBuilder;
export type CaasKind = CaasBuilder['kind'];

/** The builder of one kind, e.g. `BuilderOf<'funnel'>`. */
export type BuilderOf<K extends CaasKind> = Extract<CaasBuilder, { kind: K }>;

interface CaasQueryCommon extends DataQuery {
  /** Saved-query version; every stored query passes through migrateQuery() (QUERY_VERSION). */
  version: number;
  /** Tenant id or a template variable such as `$tenant`; empty: the data source's default tenant. */
  tenant?: string;
}

/** A saved query: one kind's builder plus Grafana's refId/hide and our version and tenant. */
export type CaasQuery = CaasQueryCommon & CaasBuilder;
export type CaasQueryOf<K extends CaasKind> = CaasQueryCommon & BuilderOf<K>;

/** jsonData: nothing secret here (DESIGN.md, Data flows 3). */
export interface CaasDataSourceOptions extends DataSourceJsonData {
  /** Backend base URL; the plugin.json route forwards to it (`{{ .JsonData.url }}`). */
  url?: string;
  /** Tenant used when a query names none. */
  defaultTenant?: string;
}

/** secureJsonData: the API key, injected by the route as `Authorization: Bearer …`; never sent to the browser. */
export interface CaasSecureJsonData {
  apiKey?: string;
}

/** A template variable query (VariableQueryEditor → metricFindQuery). */
export interface CaasVariableQuery extends DataQuery {
  name: VariableName;
  /** property_values: the property key; dimension_values: the column */
  key?: string;
  event_type?: string;
  tenant?: string;
}

export interface VariableOption {
  text: string;
  value: string;
}
