import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { variants } from '../mistakes/11-saga-timeouts.js';
import { restoreReference, testMistakes } from '../helpers/mistakes.js';
import { describeResult, failedStep, makeWorkspace, runCheck, solutionSource, writeProgram, type TestWorkspace } from '../helpers/workspace.js';
import { mistakes } from '../../checks/day4/11-saga-timeouts.js';

const EXERCISE = '11-saga-timeouts';

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

  it('reference solution passes', async () => {
    restoreReference(solutions.root, EXERCISE);
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

  testMistakes(EXERCISE, () => solutions, variants);
});
