import { describe, expect, it } from 'vitest';
import type { Exercise } from '../../src/course/catalog.js';
import { nextHint, orderHints } from '../../src/course/hints.js';

const exercise = {
  id: '01-x',
  hints: [{ text: 'a', step: 'one' }, { text: 'b' }, { text: 'c', step: 'two' }, { text: 'd', step: 'two' }],
} as Exercise;

describe('hint order', () => {
  it('keeps file order without a failure', () => {
    expect(orderHints(exercise, undefined).map((hint) => hint.text)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('puts the failed step first', () => {
    const ordered = orderHints(exercise, { state: 'failed', attempts: 1, lastRun: '', failedStep: 'two' });
    expect(ordered.map((hint) => hint.text)).toEqual(['c', 'd', 'a', 'b']);
    expect(ordered.map((hint) => hint.index)).toEqual([2, 3, 0, 1]);
  });

  it('ignores a stale failed step after a pass', () => {
    expect(orderHints(exercise, { state: 'passed', attempts: 2, lastRun: '', failedStep: 'two' }).map((hint) => hint.text)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('next skips shown hints', () => {
    const ordered = orderHints(exercise, { state: 'failed', attempts: 1, lastRun: '', failedStep: 'two' });
    expect(nextHint(ordered, [2])?.text).toBe('d');
    expect(nextHint(ordered, [2, 3])?.text).toBe('a');
    expect(nextHint(ordered, [0, 1, 2, 3])).toBeUndefined();
  });
});
