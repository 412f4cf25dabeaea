/**
 * Module borders, checked in CI (`npm run lint`). A feature folder owns its tables: others reach them only
 * through its service. `common` and `config` import no feature. The data source and the migrations list
 * every entity, and are the only exceptions.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-foreign-entities',
      comment: "A feature uses another feature's tables only through that feature's service.",
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: ['^src/database/data-source\\.ts$', '^src/database/migrations/'] },
      to: { path: '^src/([^/]+)/.+\\.entit(y|ies)\\.ts$', pathNot: '^src/$1/' },
    },
    {
      name: 'common-imports-no-feature',
      comment: 'common and config are below every feature.',
      severity: 'error',
      from: { path: '^src/(common|config)/' },
      to: { path: '^src/', pathNot: '^src/(common|config)/' },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
