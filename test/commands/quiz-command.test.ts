import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { quiz } from '../../src/commands/quiz.js';
import { loadDay } from '../../src/course/catalog.js';
import { loadQuiz } from '../../src/course/quiz.js';
import { memoryIo } from '../../src/ui/io.js';
import { readProgress } from '../../src/workspace/progress.js';

const questions = loadQuiz(loadDay('day4'))!.questions;

describe('quiz command', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'mq-course-quiz-'));
    writeFileSync(path.join(root, 'mq-course.json'), JSON.stringify({ formatVersion: 1, day: 'day4' }));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const terminalIo = () => ({ ...memoryIo(), interactive: true });

  it('scores answers and keeps the best', async () => {
    const io = terminalIo();
    expect(await quiz({ cwd: root, day: 'day4' }, io, async (question) => question.answer)).toBe(0);
    expect(io.stdout).toContain(`Score: ${questions.length} of ${questions.length}.`);

    // Wrong on the first question only.
    await quiz({ cwd: root, day: 'day4' }, terminalIo(), async (question, position) => (position === 1 ? (question.answer + 1) % question.choices.length : question.answer));
    expect(readProgress(root).quiz?.day4).toMatchObject({ bestScore: questions.length, lastScore: questions.length - 1, questions: questions.length });
  });

  it('explains every answer', async () => {
    const io = terminalIo();
    await quiz({ cwd: root, day: 'day4' }, io, async () => 0);
    expect(io.stdout.filter((line) => line.startsWith('✓ Right.') || line.startsWith('✗ Not quite.'))).toHaveLength(questions.length);
  });

  it('outside a workspace says the score is not recorded', async () => {
    const io = terminalIo();
    const outside = mkdtempSync(path.join(os.tmpdir(), 'mq-course-quiz-out-'));
    try {
      expect(await quiz({ cwd: outside, day: 'day4' }, io, async (question) => question.answer)).toBe(0);
      expect(io.stdout.join('\n')).toContain('Not recorded: no mq-course workspace here');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('rejects a non-terminal with exit code 2', async () => {
    await expect(quiz({ cwd: root, day: 'day4' }, memoryIo(), async () => 0)).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('The quiz needs a terminal') });
  });
});
