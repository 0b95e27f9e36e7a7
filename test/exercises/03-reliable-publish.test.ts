import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { variants } from '../mistakes/03-reliable-publish.js';
import { applyVariant } from '../helpers/variants.js';
import { describeResult, failedStep, makeWorkspace, runCheck, solutionSource, writeProgram, type TestWorkspace } from '../helpers/workspace.js';

const EXERCISE = '03-reliable-publish';
const PROGRAMS = ['publish-batch.ts'];

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

  /** Puts every program of the exercise back to the reference solution. */
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
    expect(step?.id).toBe('batch');
    expect(step?.message).toMatch(/published nothing/);
    expect(step?.next).toMatch(/createConfirmChannel|confirm channel/);
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
