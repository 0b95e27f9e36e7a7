import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { variants } from '../mistakes/08-outbox.js';
import { restoreReference, testMistakes } from '../helpers/mistakes.js';
import { describeResult, failedStep, makeWorkspace, runCheck, solutionSource, writeProgram, type TestWorkspace } from '../helpers/workspace.js';

const EXERCISE = '08-outbox';

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

  it('reference solution passes', async () => {
    restoreReference(solutions.root, EXERCISE);
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

  testMistakes(EXERCISE, () => solutions, variants);
});
