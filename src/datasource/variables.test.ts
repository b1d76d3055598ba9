import { parseVariableQuery, variableDefinition } from './variables';

describe('template variable queries', () => {
  test.each([
    ['tenants', { name: 'tenants' }],
    ['event_types', { name: 'event_types' }],
    ['property_values(message_type)', { name: 'property_values', key: 'message_type' }],
    [
      'property_values( message_type , message_sent )',
      { name: 'property_values', key: 'message_type', event_type: 'message_sent' },
    ],
    ['dimension_values(platform)', { name: 'dimension_values', key: 'platform' }],
    ['event_types @ $tenant', { name: 'event_types', tenant: '$tenant' }],
    ['property_keys(message_sent)@acme', { name: 'property_keys', key: 'message_sent', tenant: 'acme' }],
    ['nonsense(', { name: 'event_types' }],
    ['', { name: 'event_types' }],
  ])('the string form %p reads as %j', (text, expected) => {
    expect(parseVariableQuery(text)).toEqual({ refId: 'variable', ...expected });
  });

  test('an object is kept; the definition is the string form, which parses back', () => {
    const query = {
      refId: 'V',
      name: 'property_values' as const,
      key: 'message_type',
      event_type: 'message_sent',
      tenant: '$tenant',
    };
    expect(parseVariableQuery(query)).toEqual(query);
    const definition = variableDefinition(query);
    expect(definition).toBe('property_values(message_type, message_sent) @ $tenant');
    expect(parseVariableQuery(definition)).toEqual({ ...query, refId: 'variable' });
  });
});
