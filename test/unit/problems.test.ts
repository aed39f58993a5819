/**
 * One list of problem codes (`src/problems.ts`): the spec's `ProblemCode` enum is that list, and
 * every code the server's source emits is on it, so a code added later without its explanation
 * (and its `/problems/{code}` page) fails here.
 */
import fs from 'node:fs';
import { expect } from 'chai';
import YAML from 'yaml';
import { ApiError, badRequest, type ProblemCode } from '../../src/errors.ts';
import { PROBLEMS } from '../../src/problems.ts';
import { SPEC_PATH } from '../../src/openapi/spec.ts';
import { emittedProblemCodes } from './problemCodes.ts';

describe('problem codes', () => {
  const listed = PROBLEMS.map((p) => p.code);

  it('are listed once each, with a title, when it happens and what to do', () => {
    expect(new Set(listed).size).to.equal(listed.length);
    for (const p of PROBLEMS) {
      expect(p.code, p.code).to.match(/^[a-z][a-z0-9_]*$/);
      for (const text of [p.title, p.when, p.todo]) expect(text, p.code).to.match(/\S/);
      expect(p.status, p.code).to.be.within(400, 599);
    }
  });

  it('are exactly the ProblemCode enum of openapi.yaml', () => {
    const spec = YAML.parse(fs.readFileSync(SPEC_PATH, 'utf8'));
    expect(spec.components.schemas.ProblemCode.enum).to.deep.equal(listed);
  });

  it('include every code the services emit (read from src/)', () => {
    const emitted = emittedProblemCodes();
    expect(emitted.size, 'codes found in src/').to.be.greaterThan(40);
    const missing = [...emitted].filter(([code]) => !listed.includes(code)).map(([code, where]) => `${code} (${where})`);
    expect(missing, 'codes emitted by src/ but missing from src/problems.ts').to.deep.equal([]);
  });

  it('are a type: an error with a code outside the list does not compile', () => {
    const known: ProblemCode = 'session_wrong_status';
    expect(new ApiError(409, known, 'Conflict').code).to.equal('session_wrong_status');
    // The directives fail `tsc` (CI's type-check) if these lines ever compile.
    // @ts-expect-error a typo is not a ProblemCode
    expect(new ApiError(409, 'session_wrong_stauts', 'Conflict').code).to.equal('session_wrong_stauts');
    // @ts-expect-error nor is a code nobody listed
    expect(badRequest('x', 'made_up').code).to.equal('made_up');
  });
});
