import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { variants } from '../mistakes/09-saga-participant.js';
import { testMistakes } from '../helpers/mistakes.js';
import { describeResult, failedStep, makeWorkspace, runCheck, solutionSource, writeProgram, type TestWorkspace } from '../helpers/workspace.js';

const EXERCISE = '09-saga-participant';

describe('09-saga-participant checks', () => {
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
    writeProgram(solutions.root, EXERCISE, 'inventory.ts', solutionSource(EXERCISE, 'inventory.ts'));
    const result = await runCheck(solutions.root, EXERCISE);
    expect(result.status, describeResult(result)).toBe('passed');
  });

  it('starter fails with the trace side by side', async () => {
    const result = await runCheck(starters.root, EXERCISE);
    const step = failedStep(result);
    expect(result.status).toBe('failed');
    expect(step?.id).toBe('happy-path');
    expect(step?.mistake).toBeUndefined();
    expect(step?.message).toMatch(/OrderCreated o-1/);
    expect(step?.next).toMatch(/TODOs in inventory\.ts/);
    expect(step?.comparison?.expected).toContain('← inventory  StockReserved o-1');
    expect(step?.comparison?.actual).not.toContain('← inventory  StockReserved o-1');
  });

  testMistakes(EXERCISE, () => solutions, variants, (result) => expect(failedStep(result)?.comparison, describeResult(result)).toBeDefined());
});
