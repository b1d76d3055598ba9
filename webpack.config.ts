import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Configuration } from 'webpack';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config.ts';

/**
 * Extends create-plugin's webpack config (https://grafana.com/developers/plugin-tools/how-to-guides/extend-configurations)
 * instead of editing `.config/` (generated). The dashboards live at the repository root (`dashboards/`, DESIGN.md) while
 * the scaffold only copies `src/**`, so they are copied to `dist/dashboards/`, where plugin.json `includes` and the
 * dashboard provisioning (`provisioning/dashboards/caas.yaml`) expect them.
 *
 * The scaffold's own output is appended to, not deep-merged, so no webpack-merge dependency is needed.
 */
const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  return {
    ...base,
    plugins: [
      ...(base.plugins ?? []),
      // `from` is relative to webpack's context, which the scaffold sets to src/.
      new CopyWebpackPlugin({ patterns: [{ from: '../dashboards/*.json', to: 'dashboards/[name][ext]' }] }),
    ],
  };
};

export default config;
