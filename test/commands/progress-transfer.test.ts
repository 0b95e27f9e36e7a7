import { describe, expect, it } from 'vitest';
import { mergeProgress, validateProgress } from '../../src/course/progress-transfer.js';
import type { Progress } from '../../src/workspace/progress.js';

const passed = { state: 'passed' as const, attempts: 2, lastRun: '2026-12-01T10:00:00.000Z', passedAt: '2026-12-01T09:00:00.000Z' };
const failed = { state: 'failed' as const, attempts: 5, lastRun: '2026-12-02T10:00:00.000Z', failedStep: 'share' };

describe('validateProgress', () => {
  it('accepts a full valid file', () => {
    const progress = { formatVersion: 1, exercises: { a: passed }, hintsShown: { a: [0, 2] }, quiz: { day4: { bestScore: 3, lastScore: 2, questions: 5, lastTakenAt: '2026-12-01T10:00:00.000Z' } } };
    expect(validateProgress(progress)).toEqual([]);
  });

  it('names each bad field', () => {
    const problems = validateProgress({ formatVersion: 1, exercises: { a: { state: 'won', attempts: 1.5, lastRun: 'soon' } }, hintsShown: { a: ['x'] }, quiz: { day4: {} } });
    expect(problems).toEqual([
      'exercises.a.state is "won", expected "passed" or "failed"',
      'exercises.a.attempts is not a whole number',
      'exercises.a.lastRun is not an ISO time',
      'hintsShown.a is not a list of hint numbers',
      'quiz.day4 needs bestScore, lastScore, questions and lastTakenAt',
    ]);
  });

  it('rejects a newer format and a non-object', () => {
    expect(validateProgress({ formatVersion: 2, exercises: {} })).toEqual(['formatVersion 2 is newer than this mq-course reads (1)']);
    expect(validateProgress([])).toEqual(['the file is not a JSON object']);
    expect(validateProgress({ formatVersion: 1 })).toEqual(['exercises is missing or not an object']);
  });
});

describe('mergeProgress', () => {
  it('keeps passed, larger attempts, later run', () => {
    const current: Progress = { formatVersion: 1, exercises: { a: failed } };
    const incoming: Progress = { formatVersion: 1, exercises: { a: passed } };
    expect(mergeProgress(current, incoming).exercises.a).toEqual({ state: 'passed', attempts: 5, lastRun: failed.lastRun, passedAt: passed.passedAt });
  });

  it('two failures keep the newest failed step', () => {
    const older = { ...failed, lastRun: '2026-11-01T00:00:00.000Z', failedStep: 'consumer' };
    const merged = mergeProgress({ formatVersion: 1, exercises: { a: older } }, { formatVersion: 1, exercises: { a: failed } });
    expect(merged.exercises.a).toEqual({ state: 'failed', attempts: 5, lastRun: failed.lastRun, failedStep: 'share' });
  });

  it('adds exercises only one side has', () => {
    const merged = mergeProgress({ formatVersion: 1, exercises: { a: failed } }, { formatVersion: 1, exercises: { b: passed } });
    expect(merged.exercises).toEqual({ a: failed, b: passed });
  });

  it('unites hints and keeps the best quiz', () => {
    const quiz = (best: number, last: number, at: string) => ({ bestScore: best, lastScore: last, questions: 10, lastTakenAt: at });
    const merged = mergeProgress(
      { formatVersion: 1, exercises: {}, hintsShown: { a: [2, 0] }, quiz: { day4: quiz(8, 8, '2026-12-01T00:00:00.000Z') } },
      { formatVersion: 1, exercises: {}, hintsShown: { a: [1], b: [0] }, quiz: { day4: quiz(6, 6, '2026-12-02T00:00:00.000Z') } },
    );
    expect(merged.hintsShown).toEqual({ a: [0, 1, 2], b: [0] });
    expect(merged.quiz).toEqual({ day4: quiz(8, 6, '2026-12-02T00:00:00.000Z') });
  });
});
