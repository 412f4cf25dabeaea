const { compilerOptions } = require('./tsconfig.json');

/**
 * ESM-only packages that Jest's CommonJS module loader cannot load as they are (Node itself requires them
 * fine): archiver 8 (the disclosure export's ZIP) and its ESM dependencies, compiled to CommonJS for tests.
 */
const ESM_PACKAGES = ['archiver', 'zip-stream', 'compress-commons', 'crc32-stream', 'is-stream'];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  // Transpile only, file by file: `npm run typecheck` checks the types (tests included). Decorator metadata
  // still comes out of each file on its own, which is all Nest's dependency injection reads.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { ...compilerOptions, isolatedModules: true } }],
    [`/node_modules/(${ESM_PACKAGES.join('|')})/.+\\.js$`]: [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'es2022', esModuleInterop: true, isolatedModules: true } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  // Chromium, Postgres and Redis are real: one file at a time keeps a 2-core machine responsive.
  maxWorkers: 1,
};
