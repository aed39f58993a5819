/**
 * The layer rules of docs/architecture.md, enforced: dependency-cruiser runs with
 * `.dependency-cruiser.cjs` (the same rules as `npm run lint:deps`) and every violation fails the test.
 */
import { expect } from 'chai';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const config = createRequire(import.meta.url)(path.join(root, '.dependency-cruiser.cjs')) as IConfiguration;

describe('architecture: imports point one way', function () {
  this.timeout(120_000);

  it('src/ and cli/ break none of the rules in .dependency-cruiser.cjs', async () => {
    const cwd = process.cwd();
    process.chdir(root); // the rules' paths are relative to the project root
    try {
      const { options = {}, ...ruleSet } = config;
      const { output } = await cruise(
        ['src', 'cli'],
        { ...options, ruleSet, validate: true, outputType: 'json' },
        options.enhancedResolveOptions,
        { tsConfig: extractTSConfig(path.join(root, 'tsconfig.json')) },
      );
      const result = (typeof output === 'string' ? JSON.parse(output) : output) as ICruiseResult;
      const violations = result.summary.violations.map(
        (v) => `${v.rule.name}: ${v.from} → ${v.cycle?.length ? v.cycle.map((c) => c.name).join(' → ') : v.to}`,
      );
      expect(violations, violations.join('\n')).to.deep.equal([]);
      expect(result.summary.totalCruised, 'modules cruised').to.be.greaterThan(100);
    } finally {
      process.chdir(cwd);
    }
  });
});
