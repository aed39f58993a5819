/**
 * Loaded by mocha before any test file (.mocharc.json "require"). Root hooks: when the whole suite
 * runs (`npm test` sets CONTRACT_COVERAGE=1) the contract checker reports which implemented
 * operations no test exercised, and fails the run if any.
 */
import { contractCoverage } from './contract.ts';

process.env.NODE_ENV = 'test';

export const mochaHooks = {
  afterAll(this: Mocha.Context) {
    if (process.env.CONTRACT_COVERAGE !== '1') return;
    const { missing, summary } = contractCoverage();
    if (process.env.CONTRACT_REPORT) console.log(summary);
    if (missing.length) {
      throw new Error(`implemented operations that no test called with a successful response: ${missing.join(', ')}`);
    }
  },
};
