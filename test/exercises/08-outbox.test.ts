import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { variants } from '../mistakes/08-outbox.js';
import { applyVariant } from '../helpers/variants.js';
import { describeResult, failedStep, makeWorkspace, runCheck, solutionSource, writeProgram, type TestWorkspace } from '../helpers/workspace.js';

const EXERCISE = '08-outbox';
const PROGRAMS = ['order-service.ts', 'relay.ts'];

describe('08-outbox checks', () => {
  let solutions: TestWorkspace;
  let starters: TestWorkspace;

  beforeAll(async () => {
    solutions = await makeWorkspace({ withSolutions: true });
    starters = await makeWorkspace({ withSolutions: false });
  });
  afterAll(() => {
    solutions?.cleanup();
    starters?.cleanup();
  });

  /** Puts every program back to the reference, so each case changes only what its variant changes. */
  function restoreSolutions(): void {
    for (const program of PROGRAMS) writeProgram(solutions.root, EXERCISE, program, solutionSource(EXERCISE, program));
  }

  it('reference solution passes', async () => {
    restoreSolutions();
    const result = await runCheck(solutions.root, EXERCISE);
    expect(result.status, describeResult(result)).toBe('passed');
  });

  it('starter fails with a next step', async () => {
    const result = await runCheck(starters.root, EXERCISE);
    const step = failedStep(result);
    expect(result.status).toBe('failed');
    expect(step?.id).toBe('publish');
    expect(step?.message).toMatch(/neither accepted nor rejected for o-1/);
    expect(step?.mistake).toBeUndefined();
    expect(step?.next).toMatch(/TODOs in order-service\.ts/);
  });

  for (const variant of variants) {
    it(`mistake: ${variant.description}`, async () => {
      restoreSolutions();
      writeProgram(solutions.root, EXERCISE, variant.program, applyVariant(solutionSource(EXERCISE, variant.program), variant));
      const result = await runCheck(solutions.root, EXERCISE);
      expect(result.status, describeResult(result)).toBe('failed');
      expect(failedStep(result)?.mistake, describeResult(result)).toBe(variant.mistake);
    });
  }
});
