import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeScratchDirs } from '../../src/checking/scratch-dir.js';
import { variants } from '../mistakes/07-idempotent-consumer.js';
import { testMistakes } from '../helpers/mistakes.js';
import { describeResult, failedStep, makeWorkspace, runCheck, solutionSource, writeProgram, type TestWorkspace } from '../helpers/workspace.js';

const EXERCISE = '07-idempotent-consumer';

describe('07-idempotent-consumer checks', () => {
  let solutions: TestWorkspace;
  let starters: TestWorkspace;

  beforeAll(async () => {
    solutions = await makeWorkspace({ withSolutions: true });
    starters = await makeWorkspace({ withSolutions: false });
  });
  afterAll(() => {
    solutions?.cleanup();
    starters?.cleanup();
    // The check keeps the ledger's database of a failed run until the process exits.
    removeScratchDirs();
  });

  it('reference solution passes', async () => {
    writeProgram(solutions.root, EXERCISE, 'ledger.ts', solutionSource(EXERCISE, 'ledger.ts'));
    const result = await runCheck(solutions.root, EXERCISE);
    expect(result.status, describeResult(result)).toBe('passed');
  });

  it('starter fails with a next step', async () => {
    const result = await runCheck(starters.root, EXERCISE);
    const step = failedStep(result);
    expect(result.status).toBe('failed');
    expect(step?.id).toBe('ready');
    expect(step?.message).toMatch(/did not join the consumer group/);
    expect(step?.next).toMatch(/groupId: GROUP_ID/);
  });

  testMistakes(EXERCISE, () => solutions, variants);
});
