import { PROGRESS_FORMAT_VERSION, type ExerciseProgress, type Progress, type QuizProgress } from '../workspace/progress.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isTime = (value: unknown) => typeof value === 'string' && !Number.isNaN(Date.parse(value));
const isCount = (value: unknown) => Number.isInteger(value) && (value as number) >= 0;

/**
 * Checks that an imported value is a progress file this version can read, field by field.
 * Returns the problems found, each naming the field; an empty list means it is valid.
 */
export function validateProgress(value: unknown): string[] {
  if (!isObject(value)) return ['the file is not a JSON object'];
  const problems: string[] = [];
  if (typeof value.formatVersion !== 'number') problems.push('formatVersion is missing');
  else if (value.formatVersion > PROGRESS_FORMAT_VERSION) problems.push(`formatVersion ${value.formatVersion} is newer than this mq-course reads (${PROGRESS_FORMAT_VERSION})`);
  if (!isObject(value.exercises)) return [...problems, 'exercises is missing or not an object'];

  for (const [id, entry] of Object.entries(value.exercises)) {
    if (!isObject(entry)) {
      problems.push(`exercises.${id} is not an object`);
      continue;
    }
    if (entry.state !== 'passed' && entry.state !== 'failed') problems.push(`exercises.${id}.state is ${JSON.stringify(entry.state)}, expected "passed" or "failed"`);
    if (!isCount(entry.attempts)) problems.push(`exercises.${id}.attempts is not a whole number`);
    if (!isTime(entry.lastRun)) problems.push(`exercises.${id}.lastRun is not an ISO time`);
    if (entry.passedAt !== undefined && !isTime(entry.passedAt)) problems.push(`exercises.${id}.passedAt is not an ISO time`);
  }
  if (value.hintsShown !== undefined) {
    if (!isObject(value.hintsShown)) problems.push('hintsShown is not an object');
    else for (const [id, shown] of Object.entries(value.hintsShown)) if (!Array.isArray(shown) || !shown.every(isCount)) problems.push(`hintsShown.${id} is not a list of hint numbers`);
  }
  if (value.quiz !== undefined) {
    if (!isObject(value.quiz)) problems.push('quiz is not an object');
    else
      for (const [day, quiz] of Object.entries(value.quiz)) {
        if (!isObject(quiz) || !isCount(quiz.bestScore) || !isCount(quiz.lastScore) || !isCount(quiz.questions) || !isTime(quiz.lastTakenAt)) {
          problems.push(`quiz.${day} needs bestScore, lastScore, questions and lastTakenAt`);
        }
      }
  }
  return problems;
}

const later = (a: string, b: string) => (Date.parse(a) >= Date.parse(b) ? a : b);
function earlier(a: string | undefined, b: string | undefined): string | undefined {
  if (!a || !b) return a ?? b;
  return Date.parse(a) <= Date.parse(b) ? a : b;
}

function mergeExercise(current: ExerciseProgress | undefined, incoming: ExerciseProgress): ExerciseProgress {
  if (!current) return incoming;
  const newest = Date.parse(incoming.lastRun) > Date.parse(current.lastRun) ? incoming : current;
  const passed = current.state === 'passed' || incoming.state === 'passed';
  return {
    state: passed ? 'passed' : 'failed',
    attempts: Math.max(current.attempts, incoming.attempts),
    lastRun: later(current.lastRun, incoming.lastRun),
    ...(passed ? {} : { failedStep: newest.failedStep }),
    ...(passed ? { passedAt: earlier(current.passedAt, incoming.passedAt) ?? newest.lastRun } : {}),
  };
}

function mergeQuiz(current: QuizProgress | undefined, incoming: QuizProgress): QuizProgress {
  if (!current) return incoming;
  const newest = Date.parse(incoming.lastTakenAt) > Date.parse(current.lastTakenAt) ? incoming : current;
  return { ...newest, bestScore: Math.max(current.bestScore, incoming.bestScore) };
}

/**
 * Merges imported progress into the current one and keeps the better of each value. An exercise
 * passed in either stays passed, with the larger attempt count and the later run. Shown hints
 * are united, and the quiz keeps the best score and the most recent attempt.
 */
export function mergeProgress(current: Progress, incoming: Progress): Progress {
  const merged: Progress = { ...incoming, ...current, exercises: { ...current.exercises } };
  for (const [id, entry] of Object.entries(incoming.exercises)) merged.exercises[id] = mergeExercise(current.exercises[id], entry);

  const hints: Record<string, number[]> = { ...current.hintsShown };
  for (const [id, shown] of Object.entries(incoming.hintsShown ?? {})) hints[id] = [...new Set([...(hints[id] ?? []), ...shown])].sort((a, b) => a - b);
  if (Object.keys(hints).length) merged.hintsShown = hints;

  const quiz: Record<string, QuizProgress> = { ...current.quiz };
  for (const [day, entry] of Object.entries(incoming.quiz ?? {})) quiz[day] = mergeQuiz(quiz[day], entry);
  if (Object.keys(quiz).length) merged.quiz = quiz;
  return merged;
}
