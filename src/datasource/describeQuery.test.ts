import { defaultBuilder } from './defaults';
import { describeQuery, duration } from './describeQuery';
import type { CaasQuery } from './types';

const base = { refId: 'A', version: 1 };

describe('describeQuery (the "what will be asked" line)', () => {
  test('time series: metric, event types, filters, granularity, split and tenant', () => {
    const query: CaasQuery = {
      ...base,
      tenant: '$tenant',
      kind: 'timeseries',
      metric: { type: 'unique_users' },
      event_types: ['message_sent', 'message_read'],
      filters: [
        { field: 'platform', op: 'in', value: ['ios', 'android'] },
        { field: 'country', op: '!=', value: 'DE' },
      ],
      granularity: 'day',
      group_by: ['platform'],
    };
    expect(describeQuery(query)).toBe(
      'Unique users in events of type message_sent, message_read where platform is one of (ios, android) and country is not DE per day, split by platform for tenant $tenant'
    );
  });

  test('default time series names the default tenant and the panel interval', () => {
    expect(describeQuery({ ...base, ...defaultBuilder('timeseries') }, 'acme')).toBe(
      'Number of events in all events per panel interval for tenant acme'
    );
  });

  test('funnel lists the steps in order with the window and breakdown; missing steps are asked for', () => {
    const funnel: CaasQuery = {
      ...base,
      kind: 'funnel',
      steps: [
        { event_type: 'signup' },
        { event_type: '' },
        { event_type: 'message_sent', filters: [{ field: 'platform', op: '=', value: 'ios' }] },
      ],
      window_seconds: 2 * 86400,
      breakdown: 'country',
    };
    expect(describeQuery(funnel)).toBe(
      'Users who did signup → (step 2?) → message_sent where platform is ios in this order within 2 days, broken down by country for the default tenant'
    );
  });

  test('retention, top N and annotations read as sentences', () => {
    expect(
      describeQuery({
        ...base,
        kind: 'retention',
        cohort_event: 'signup',
        return_event: 'message_sent',
        period: 'week',
        periods: 8,
      })
    ).toBe(
      'Of users who first did signup (cohorts per week), how many did message_sent in each of the next 8 weeks for the default tenant'
    );
    expect(describeQuery({ ...base, kind: 'top_n', field: 'country', metric: 'unique_users', limit: 5 })).toBe(
      'Top 5 values of country by unique users in all events for the default tenant'
    );
    expect(
      describeQuery({ ...base, kind: 'annotations', event_types: ['app_release'], text_property: 'version' })
    ).toBe('Annotations from app_release events, text from property version for the default tenant');
  });

  test('search analytics names the part shown, its rows or granularity, the filters and the tenant', () => {
    const search = { ...base, ...defaultBuilder('search_analytics'), tenant: '$tenant' };
    expect(describeQuery(search)).toBe('The 20 most searched queries in search_query events for tenant $tenant');
    expect(
      describeQuery({
        ...search,
        show: 'zero_results',
        limit: 5,
        filters: [{ field: 'user_id', op: '=', value: 'key_1' }],
      })
    ).toBe(
      'The 5 most searched queries without results in search_query events where user_id is key_1 for tenant $tenant'
    );
    expect(describeQuery({ ...search, show: 'latency', granularity: 'hour' })).toBe(
      'Search latency p50 and p95 (ms) of search_query events per hour for tenant $tenant'
    );
    expect(describeQuery({ ...search, show: 'volume' }, 'acme')).toBe(
      'Number of searches in search_query events per interval chosen from the time range for tenant $tenant'
    );
  });

  test('durations use the largest whole unit', () => {
    expect(duration(86400)).toBe('1 day');
    expect(duration(5400)).toBe('90 minutes');
    expect(duration(1209600)).toBe('2 weeks');
    expect(duration(45)).toBe('45 seconds');
  });
});
