/**
 * Import rules: dependencies point one way (see docs/architecture.md). Checked by `npm run lint:deps`
 * and by test/unit/architecture.test.ts (so `npm test` fails on a violation).
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'No import cycle in src/, not even one closed only by `import type`.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-not-to-http',
      severity: 'error',
      comment:
        'Services, realtime, webhooks, jobs and the CLI do not depend on the HTTP layer (src/api, src/middleware); contract types come from src/contract.',
      from: { path: '^(src/(services|realtime|webhooks|jobs)|cli)/' },
      to: { path: '^src/(api|middleware)/' },
    },
    {
      name: 'services-take-domain-inputs',
      severity: 'error',
      comment:
        'Services take domain inputs (Dates, integer cents, their own interfaces); routes decode request bodies into them (src/api/<resource>/decode.ts).',
      from: { path: '^src/services/' },
      to: { path: '^src/contract/' },
    },
    {
      name: 'presenters-not-to-services',
      severity: 'error',
      comment: 'Presenters render records; they do not call or depend on services.',
      from: { path: '^src/presenters/' },
      to: { path: '^src/services/' },
    },
    {
      name: 'views-read-only',
      severity: 'error',
      comment:
        'src/views loads what presenters render (records plus batch-loaded extras, figures); it calls no service, presenter or HTTP code.',
      from: { path: '^src/views/' },
      to: { path: '^src/(services|presenters|api|middleware|realtime|webhooks|jobs)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.d.ts', '.js', '.cjs', '.mjs', '.json'],
    },
    moduleSystems: ['es6', 'cjs'],
  },
};
