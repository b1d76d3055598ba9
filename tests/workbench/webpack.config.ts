import path from 'node:path';
import type { Configuration } from 'webpack';

/**
 * The browser workbench (tests/browser/workbench.test.mjs): the app's router and pages (Home, the Analytics explorer)
 * and the data source panel (the real CaasDataSource with its QueryEditor), bundled with React, react-router and
 * @grafana/{ui,data,runtime} (not externals: there is no Grafana around it).
 * Output: test-output/workbench/{index.html,workbench.js}.
 */
const root = path.resolve(__dirname, '../..');

const config: Configuration = {
  mode: 'development',
  devtool: false,
  context: root,
  entry: { workbench: path.resolve(__dirname, 'index.tsx') },
  output: { path: path.resolve(root, 'test-output/workbench'), filename: '[name].js', clean: true, publicPath: '/' },
  resolve: {
    extensions: ['.js', '.jsx', '.ts', '.tsx', '.mjs'],
    alias: {
      // @grafana/runtime does not export its setter; the workbench needs it to give PanelRenderer a body.
      'workbench-panel-renderer$': path.resolve(
        root,
        'node_modules/@grafana/runtime/dist/esm/components/PanelRenderer.mjs'
      ),
    },
    fallback: { fs: false, path: false, crypto: false, stream: false },
  },
  performance: { hints: false },
  stats: 'errors-warnings',
  ignoreWarnings: [/Critical dependency/, /export .* was not found/],
  module: {
    rules: [
      // @grafana/ui's .mjs files import CommonJS packages (react-custom-scrollbars-2, …) by their default export: use
      // the __esModule interop Grafana's own build uses, not Node's strict .mjs semantics.
      { test: /\.mjs$/, include: /node_modules/, type: 'javascript/auto', resolve: { fullySpecified: false } },
      {
        exclude: /node_modules/,
        test: /\.[tj]sx?$/,
        use: {
          loader: 'swc-loader',
          options: {
            jsc: {
              target: 'es2020',
              parser: { syntax: 'typescript', tsx: true, dynamicImport: true },
              transform: { react: { runtime: 'automatic' } },
            },
          },
        },
      },
      { test: /\.css$/, use: ['style-loader', 'css-loader'] },
      { test: /\.s[ac]ss$/, use: ['style-loader', 'css-loader', 'sass-loader'] },
      { test: /\.(png|jpe?g|gif|svg|woff2?|eot|ttf|otf)$/, type: 'asset/resource' },
    ],
  },
};

export default config;
