import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { variants } from '../mistakes/03-reliable-publish.js';
import { restoreReference, testMistakes } from '../helpers/mistakes.js';
import { describeResult, failedStep, makeWorkspace, runCheck, solutionSource, writeProgram, type TestWorkspace } from '../helpers/workspace.js';

const EXERCISE = '03-reliable-publish';

describe('03-reliable-publish checks', () => {
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
    expect(step?.id).toBe('batch');
    expect(step?.message).toMatch(/published nothing/);
    expect(step?.next).toMatch(/createConfirmChannel|confirm channel/);
  });

  testMistakes(EXERCISE, () => solutions, variants);
});
