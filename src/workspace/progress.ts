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

/**
 * The learner's progress, .mq-course/progress.json in the workspace. Format version 1:
 * { formatVersion: 1, exercises: { "<exercise id>": ExerciseProgress }, quiz?: {...} }.
 * Unknown top-level keys are kept when the file is rewritten.
 */
export interface Progress {
  formatVersion: number;
  exercises: Record<string, ExerciseProgress>;
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
