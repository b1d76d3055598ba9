import { DataSourcePlugin } from '@grafana/data';
import { ConfigEditor } from './ConfigEditor';
import { CaasDataSource } from './datasource';
import { QueryEditor } from './QueryEditor';
import type { CaasDataSourceOptions, CaasQuery, CaasSecureJsonData } from './types';

// Wiring only (create-plugin convention). The annotation and variable editors hang off the data source's
// `annotations` and `variables` support (Grafana's current APIs).
export const plugin = new DataSourcePlugin<CaasDataSource, CaasQuery, CaasDataSourceOptions, CaasSecureJsonData>(
  CaasDataSource
)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
