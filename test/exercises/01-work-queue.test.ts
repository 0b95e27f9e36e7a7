import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { variants } from '../mistakes/01-work-queue.js';
import { testMistakes } from '../helpers/mistakes.js';
import { describeResult, failedStep, makeWorkspace, runCheck, solutionSource, writeProgram, type TestWorkspace } from '../helpers/workspace.js';

const EXERCISE = '01-work-queue';

describe('01-work-queue checks', () => {
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
    writeProgram(solutions.root, EXERCISE, 'worker.ts', solutionSource(EXERCISE, 'worker.ts'));
    const result = await runCheck(solutions.root, EXERCISE);
    expect(result.status, describeResult(result)).toBe('passed');
  });

  it('starter fails with a next step', async () => {
    const result = await runCheck(starters.root, EXERCISE);
    const step = failedStep(result);
    expect(result.status).toBe('failed');
    expect(step?.id).toBe('consumer');
    expect(step?.message).toMatch(/expected 1 consumer/);
    expect(step?.next).toMatch(/channel\.consume/);
  });

  testMistakes(EXERCISE, () => solutions, variants);
});
