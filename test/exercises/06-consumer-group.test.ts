import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { variants } from '../mistakes/06-consumer-group.js';
import { testMistakes } from '../helpers/mistakes.js';
import { describeResult, failedStep, makeWorkspace, runCheck, solutionSource, writeProgram, type TestWorkspace } from '../helpers/workspace.js';

const EXERCISE = '06-consumer-group';

describe('06-consumer-group checks', () => {
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
    writeProgram(solutions.root, EXERCISE, 'order-projector.ts', solutionSource(EXERCISE, 'order-projector.ts'));
    const result = await runCheck(solutions.root, EXERCISE);
    expect(result.status, describeResult(result)).toBe('passed');
  });

  it('starter fails with a next step', async () => {
    const result = await runCheck(starters.root, EXERCISE);
    const step = failedStep(result);
    expect(result.status).toBe('failed');
    expect(step?.id).toBe('group');
    expect(step?.message).toMatch(/did not reach 2 member\(s\)/);
    expect(step?.next).toMatch(/groupId: GROUP_ID/);
  });

  testMistakes(EXERCISE, () => solutions, variants);
});
