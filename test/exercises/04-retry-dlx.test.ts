import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { variants } from '../mistakes/04-retry-dlx.js';
import { testMistakes } from '../helpers/mistakes.js';
import { describeResult, failedStep, makeWorkspace, runCheck, solutionSource, writeProgram, type TestWorkspace } from '../helpers/workspace.js';

const EXERCISE = '04-retry-dlx';

describe('04-retry-dlx checks', () => {
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
    writeProgram(solutions.root, EXERCISE, 'processor.ts', solutionSource(EXERCISE, 'processor.ts'));
    const result = await runCheck(solutions.root, EXERCISE);
    expect(result.status, describeResult(result)).toBe('passed');
  });

  it('starter fails with a next step', async () => {
    const result = await runCheck(starters.root, EXERCISE);
    const step = failedStep(result);
    expect(result.status).toBe('failed');
    expect(step?.id).toBe('topology');
    expect(step?.message).toMatch(/does not exist/);
    expect(step?.next).toMatch(/channel\.assertQueue\(WORK_QUEUE/);
  });

  testMistakes(EXERCISE, () => solutions, variants);
});
