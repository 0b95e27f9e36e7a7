import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { variants } from '../mistakes/10-saga-orchestrator.js';
import { testMistakes } from '../helpers/mistakes.js';
import { describeResult, failedStep, makeWorkspace, runCheck, solutionSource, writeProgram, type TestWorkspace } from '../helpers/workspace.js';

const EXERCISE = '10-saga-orchestrator';
const PROGRAM = 'create-order-saga.ts';

describe('10-saga-orchestrator checks', () => {
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
    writeProgram(solutions.root, EXERCISE, PROGRAM, solutionSource(EXERCISE, PROGRAM));
    const result = await runCheck(solutions.root, EXERCISE);
    expect(result.status, describeResult(result)).toBe('passed');
  });

  it('starter fails with a next step', async () => {
    const result = await runCheck(starters.root, EXERCISE);
    const step = failedStep(result);
    expect(result.status).toBe('failed');
    expect(step?.id).toBe('happy-path');
    expect(step?.mistake, describeResult(result)).toBe('saga-stuck');
    expect(step?.message).toMatch(/stopped after "← inventory  InventoryReserved s-1"/);
    expect(step?.next).toMatch(/REPLY_QUEUE/);
    expect(step?.comparison?.actual).toEqual(['→ inventory  ReserveInventory s-1', '← inventory  InventoryReserved s-1']);
  });

  testMistakes(EXERCISE, () => solutions, variants);
});
