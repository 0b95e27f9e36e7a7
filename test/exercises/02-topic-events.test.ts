import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { variants } from '../mistakes/02-topic-events.js';
import { restoreReference, testMistakes } from '../helpers/mistakes.js';
import { describeResult, failedStep, makeWorkspace, runCheck, solutionSource, writeProgram, type TestWorkspace } from '../helpers/workspace.js';

const EXERCISE = '02-topic-events';

describe('02-topic-events checks', () => {
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
    expect(step?.message).toMatch(/No event reached the exchange/);
    expect(step?.next).toMatch(/channel\.publish\(EXCHANGE/);
  });

  it('starter notifier fails with a next step', async () => {
    writeProgram(starters.root, EXERCISE, 'publish-event.ts', solutionSource(EXERCISE, 'publish-event.ts'));
    const result = await runCheck(starters.root, EXERCISE);
    const step = failedStep(result);
    expect(step?.id, describeResult(result)).toBe('subscribe');
    expect(step?.message).toMatch(/nothing consumes the queue/);
    expect(step?.next).toMatch(/channel\.consume\(QUEUE/);
  });

  testMistakes(EXERCISE, () => solutions, variants);
});
