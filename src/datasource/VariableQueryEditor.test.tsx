import './test/jsdom';
import React from 'react';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { getBackendSrv } from '@grafana/runtime';
import { pickOption } from './test/combobox';
import { makeDataSource, ok } from './test/fixtures';
import { dsTestIds } from './testIds';
import type { CaasVariableQuery } from './types';
import { VariableQueryEditor, type VariableQueryEditorProps } from './VariableQueryEditor';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
  getTemplateSrv: jest.fn(),
}));

const ids = dsTestIds.variables;

beforeEach(() => {
  const fetch = jest.fn(() => ok({ values: [{ text: 'message_sent', value: 'message_sent' }] }));
  jest.mocked(getBackendSrv).mockReturnValue({ fetch } as unknown as ReturnType<typeof getBackendSrv>);
});

async function renderEditor(query: CaasVariableQuery | string) {
  const onChange = jest.fn();
  const props = {
    query,
    onChange,
    datasource: makeDataSource(),
    onRunQuery: jest.fn(),
  } as unknown as VariableQueryEditorProps;
  await act(async () => {
    render(<VariableQueryEditor {...props} />);
  });
  return { onChange };
}

describe('VariableQueryEditor', () => {
  test('reads the short string form of a hand-written dashboard', async () => {
    await renderEditor('property_values(message_type)');
    expect(screen.getByTestId(ids.name)).toHaveValue('Property values');
    expect(screen.getByTestId(ids.key)).toHaveValue('message_type');
    expect(screen.getByTestId(ids.definition)).toHaveTextContent('property_values(message_type)');
  });

  test('choosing column values asks for the column and saves a clean query', async () => {
    const { onChange } = await renderEditor({ refId: 'V', name: 'event_types' });
    expect(screen.queryByTestId(ids.key)).not.toBeInTheDocument();
    await pickOption(ids.name, 'Column values');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'V', name: 'dimension_values' });
  });

  test('a property key commits without the properties. prefix, keeping the event type and tenant', async () => {
    const { onChange } = await renderEditor({
      refId: 'V',
      name: 'property_values',
      event_type: 'message_sent',
      tenant: '$tenant',
    });
    const key = screen.getByTestId(ids.key);
    fireEvent.change(key, { target: { value: 'properties.message_type' } });
    fireEvent.blur(key);
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'V',
      name: 'property_values',
      key: 'message_type',
      event_type: 'message_sent',
      tenant: '$tenant',
    });
  });

  test('tenants take no tenant field; switching drops fields the new name does not use', async () => {
    const { onChange } = await renderEditor({ refId: 'V', name: 'property_values', key: 'message_type' });
    await pickOption(ids.name, 'Tenants');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'V', name: 'tenants' });
  });
});
