import './test/jsdom';
import React from 'react';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { getBackendSrv } from '@grafana/runtime';
import { AnnotationQueryEditor } from './AnnotationQueryEditor';
import { pickOption } from './test/combobox';
import { makeDataSource, ok } from './test/fixtures';
import { dsTestIds } from './testIds';
import type { CaasQuery } from './types';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
  getTemplateSrv: jest.fn(),
}));

const ids = dsTestIds.editor.annotations;

beforeEach(() => {
  const fetch = jest.fn(() => ok({ values: [{ text: 'app_release', value: 'app_release' }] }));
  jest.mocked(getBackendSrv).mockReturnValue({ fetch } as unknown as ReturnType<typeof getBackendSrv>);
});

async function renderEditor(query: Partial<CaasQuery> | undefined) {
  const onChange = jest.fn();
  const props = { query, onChange, onRunQuery: jest.fn(), datasource: makeDataSource() } as unknown as Parameters<
    typeof AnnotationQueryEditor
  >[0];
  await act(async () => {
    render(<AnnotationQueryEditor {...props} />);
  });
  return { onChange };
}

describe('AnnotationQueryEditor', () => {
  test('a new annotation starts empty and says what is missing', async () => {
    await renderEditor(undefined);
    expect(screen.getByTestId(dsTestIds.editor.preview)).toHaveTextContent('Annotations from (event types?) events');
    expect(screen.getByTestId(ids.limit)).toHaveValue(500);
  });

  test('event types and the text property build the annotation target', async () => {
    const { onChange } = await renderEditor({ refId: 'Anno', version: 1, kind: 'annotations', event_types: [] });
    await pickOption(ids.eventTypes, 'app_release');
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'Anno',
      version: 1,
      kind: 'annotations',
      event_types: ['app_release'],
      limit: 500,
    });
    const text = screen.getByTestId(ids.textProperty);
    fireEvent.change(text, { target: { value: 'version' } });
    fireEvent.blur(text);
    expect(onChange.mock.lastCall[0]).toMatchObject({ text_property: 'version' });
  });
});
