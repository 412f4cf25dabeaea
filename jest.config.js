const { compilerOptions } = require('./tsconfig.json');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  // Transpile only, file by file: `npm run typecheck` checks the types (tests included). Decorator metadata
  // still comes out of each file on its own, which is all Nest's dependency injection reads.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: { ...compilerOptions, isolatedModules: true } }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  // Chromium, Postgres and Redis are real: one file at a time keeps a 2-core machine responsive.
  maxWorkers: 1,
};
