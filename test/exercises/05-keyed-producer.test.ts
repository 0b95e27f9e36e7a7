import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { variants } from '../mistakes/05-keyed-producer.js';
import { testMistakes } from '../helpers/mistakes.js';
import { describeResult, failedStep, makeWorkspace, runCheck, solutionSource, writeProgram, type TestWorkspace } from '../helpers/workspace.js';

const EXERCISE = '05-keyed-producer';

describe('05-keyed-producer checks', () => {
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
    writeProgram(solutions.root, EXERCISE, 'order-producer.ts', solutionSource(EXERCISE, 'order-producer.ts'));
    const result = await runCheck(solutions.root, EXERCISE);
    expect(result.status, describeResult(result)).toBe('passed');
  });

  it('starter fails with a next step', async () => {
    const result = await runCheck(starters.root, EXERCISE);
    const step = failedStep(result);
    expect(result.status).toBe('failed');
    expect(step?.id).toBe('keys');
    expect(step?.message).toMatch(/produced nothing/);
    expect(step?.mistake).toBeUndefined();
    expect(step?.next).toMatch(/TODOs in order-producer\.ts/);
  });

  testMistakes(EXERCISE, () => solutions, variants);
});
