const { compilerOptions } = require('./tsconfig.json');

/**
 * ESM-only packages that Jest's CommonJS module loader cannot load as they are (Node itself requires them
 * fine): archiver 8 (the disclosure export's ZIP) and its ESM dependencies, compiled to CommonJS for tests.
 */
const ESM_PACKAGES = ['archiver', 'zip-stream', 'compress-commons', 'crc32-stream', 'is-stream'];

/**
 * Files that take minutes, not seconds (test/support/slow-files.cjs). `npm test` runs them too, first;
 * `npm run test:integration` and `test:browser` leave them out so a developer's loop stays short.
 */
const SLOW = require('./test/support/slow-files.cjs');
const slowPattern = `/test/(${SLOW.join('|').replace(/\./g, '\\.')})\\.spec\\.ts$`;

/** What every group shares: transpile only (`npm run typecheck` checks the types, tests included). */
const common = {
  testEnvironment: 'node',
  rootDir: __dirname,
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { ...compilerOptions, isolatedModules: true } }],
    [`/node_modules/(${ESM_PACKAGES.join('|')})/.+\\.js$`]: [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'es2022', esModuleInterop: true, isolatedModules: true } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  // Each Jest worker's files share a database and Redis prefix of their own (test/support/database.ts).
  setupFiles: ['<rootDir>/test/support/worker-env.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  // Each run gets its own database and Redis prefix, made only when a file first needs them (a unit run never does).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  // Two files at a time, one per core: each Jest worker has its own database and Redis prefix
  // (test/support/worker-env.ts), so files of two workers never see each other's work.
  maxWorkers: 2,
  testSequencer: '<rootDir>/test/support/sequencer.cjs',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/*.e2e.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', slowPattern],
    },
    {
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/*.browser.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', slowPattern],
    },
    { ...common, displayName: 'slow', testMatch: SLOW.map((name) => `<rootDir>/test/${name}.spec.ts`) },
  ],
};
