// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');

module.exports = {
  // Jest configuration provided by Grafana scaffolding
  ...base,
  transform: {
    ...base.transform,
    // Some of @grafana/data's dependencies (d3-color, d3-interpolate, ...) resolve to ES modules shipped as `.mjs`;
    // the scaffold only transforms .js/.ts(x), so without this jest fails with "Unexpected token 'export'".
    '^.+\\.mjs$': ['@swc/jest', { sourceMaps: 'inline', module: { type: 'commonjs' } }],
  },
  // Grafana's Select-heavy editors render slowly on a 2-core CI machine under load; 5 s (jest's default) flakes.
  testTimeout: 30_000,
  // Tests live beside the code in src/ only; backend/ has its own runner, tests/ holds Playwright specs.
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/backend/',
    '<rootDir>/bench/',
    '<rootDir>/tests/',
    '<rootDir>/dist/',
  ],
};
