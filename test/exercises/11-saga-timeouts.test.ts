import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { variants } from '../mistakes/11-saga-timeouts.js';
import { applyVariant } from '../helpers/variants.js';
import { describeResult, failedStep, makeWorkspace, runCheck, solutionSource, writeProgram, type TestWorkspace } from '../helpers/workspace.js';
import { mistakes } from '../../checks/day4/11-saga-timeouts.js';

const EXERCISE = '11-saga-timeouts';
const PROGRAMS = ['create-order-saga.ts', 'saga-store.ts'];

describe('11-saga-timeouts checks', () => {
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

  /** Restores every program of the exercise to the reference, so one variant never leaks into the next. */
  function restoreSolution(): void {
    for (const program of PROGRAMS) writeProgram(solutions.root, EXERCISE, program, solutionSource(EXERCISE, program));
  }

  it('reference solution passes', async () => {
    restoreSolution();
    const result = await runCheck(solutions.root, EXERCISE);
    expect(result.status, describeResult(result)).toBe('passed');
  });

  it('starter fails with a next step', async () => {
    const result = await runCheck(starters.root, EXERCISE);
    const step = failedStep(result);
    expect(result.status).toBe('failed');
    expect(step?.id, describeResult(result)).toBe('silent-participant');
    expect(step?.mistake).toBe(mistakes.noStepTimeout);
    expect(step?.message).toMatch(/it has no step timeout/);
    expect(step?.next).toMatch(/STEP_TIMEOUT_MS/);
  });

  for (const variant of variants) {
    it(`mistake: ${variant.description}`, async () => {
      restoreSolution();
      writeProgram(solutions.root, EXERCISE, variant.program, applyVariant(solutionSource(EXERCISE, variant.program), variant));
      const result = await runCheck(solutions.root, EXERCISE);
      expect(result.status, describeResult(result)).toBe('failed');
      expect(failedStep(result)?.mistake, describeResult(result)).toBe(variant.mistake);
    });
  }
});
