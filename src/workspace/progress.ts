import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { environmentError } from '../errors.js';

export const PROGRESS_FORMAT_VERSION = 1;

export interface ExerciseProgress {
  state: 'passed' | 'failed';
  attempts: number;
  /** ISO time of the last check run. */
  lastRun: string;
  /** Id of the step that failed last, so `hint` can lead with the matching hint. */
  failedStep?: string;
  passedAt?: string;
}

/** The quiz results of one day. Scores count correct answers out of `questions`. */
export interface QuizProgress {
  bestScore: number;
  lastScore: number;
  questions: number;
  /** ISO time the quiz was last finished. */
  lastTakenAt: string;
}

/**
 * The learner's progress, .mq-course/progress.json in the workspace. Format version 1:
 * { formatVersion: 1,
 *   exercises: { "<exercise id>": ExerciseProgress },
 *   hintsShown?: { "<exercise id>": [<index in exercise.json hints>, ...] },
 *   quiz?: { "<day id>": QuizProgress } }
 * hintsShown and quiz are optional, so files written before they existed still read as version 1.
 * Unknown top-level keys are kept when the file is rewritten.
 */
export interface Progress {
  formatVersion: number;
  exercises: Record<string, ExerciseProgress>;
  hintsShown?: Record<string, number[]>;
  quiz?: Record<string, QuizProgress>;
  [other: string]: unknown;
}

export function progressPath(workspaceRoot: string): string {
  return path.join(workspaceRoot, '.mq-course', 'progress.json');
}

/** Reads the progress file; a missing file is empty progress, a broken one is an error, never a silent reset. */
export function readProgress(workspaceRoot: string): Progress {
  const file = progressPath(workspaceRoot);
  if (!existsSync(file)) return { formatVersion: PROGRESS_FORMAT_VERSION, exercises: {} };
  let parsed: Progress;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Progress;
  } catch (error) {
    throw environmentError(`The progress file ${file} is corrupt: ${(error as Error).message}.`, `repair it by hand, or move it away (mv ${file} ${file}.broken) to start the progress over`);
  }
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.formatVersion !== 'number' || typeof parsed.exercises !== 'object') {
    throw environmentError(`The progress file ${file} is not in a format mq-course knows (no formatVersion or exercises).`, `move it away (mv ${file} ${file}.broken) to start the progress over`);
  }
  if (parsed.formatVersion > PROGRESS_FORMAT_VERSION) {
    throw environmentError(`The progress file ${file} has format version ${parsed.formatVersion}, written by a newer mq-course (this one reads ${PROGRESS_FORMAT_VERSION}).`, 'update mq-course: npm install -g mq-course@latest');
  }
  return parsed;
}

/** Writes the progress atomically: a temp file in the same folder, then a rename over the old one. */
export function writeProgress(workspaceRoot: string, progress: Progress): void {
  const file = progressPath(workspaceRoot);
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(progress, null, 2) + '\n');
  renameSync(temp, file);
}

/** Records one check result of an exercise. */
export function recordCheck(workspaceRoot: string, exercise: string, passed: boolean, failedStep: string | undefined, now = new Date()): void {
  const progress = readProgress(workspaceRoot);
  const previous = progress.exercises[exercise];
  const lastRun = now.toISOString();
  progress.exercises[exercise] = {
    state: passed ? 'passed' : 'failed',
    attempts: (previous?.attempts ?? 0) + 1,
    lastRun,
    ...(passed ? {} : { failedStep }),
    passedAt: passed ? (previous?.passedAt ?? lastRun) : previous?.passedAt,
  };
  writeProgress(workspaceRoot, progress);
}

/** Records that the hints at these indexes (in exercise.json order) were shown for an exercise. */
export function recordHintsShown(workspaceRoot: string, exercise: string, indexes: number[]): void {
  const progress = readProgress(workspaceRoot);
  const shown = new Set(progress.hintsShown?.[exercise] ?? []);
  for (const index of indexes) shown.add(index);
  progress.hintsShown = { ...progress.hintsShown, [exercise]: [...shown].sort((a, b) => a - b) };
  writeProgress(workspaceRoot, progress);
}

/** Records a finished quiz and returns the day's quiz progress with the best score so far. */
export function recordQuiz(workspaceRoot: string, day: string, score: number, questions: number, now = new Date()): QuizProgress {
  const progress = readProgress(workspaceRoot);
  const previous = progress.quiz?.[day];
  const result: QuizProgress = {
    bestScore: Math.max(score, previous?.bestScore ?? 0),
    lastScore: score,
    questions,
    lastTakenAt: now.toISOString(),
  };
  progress.quiz = { ...progress.quiz, [day]: result };
  writeProgress(workspaceRoot, progress);
  return result;
}
