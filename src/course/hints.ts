import type { ExerciseProgress } from '../workspace/progress.js';
import type { Exercise, Hint } from './catalog.js';

/** A hint with its index in exercise.json, which progress stores to remember what was shown. */
export interface IndexedHint extends Hint {
  index: number;
}

/**
 * Orders an exercise's hints for showing. After a failed check the hints keyed to the failed
 * step come first, and the rest keep their order in exercise.json.
 */
export function orderHints(exercise: Exercise, progress: ExerciseProgress | undefined): IndexedHint[] {
  const indexed = exercise.hints.map((hint, index) => ({ ...hint, index }));
  const failedStep = progress?.state === 'failed' ? progress.failedStep : undefined;
  if (!failedStep) return indexed;
  return [...indexed.filter((hint) => hint.step === failedStep), ...indexed.filter((hint) => hint.step !== failedStep)];
}

/** Finds the first hint in showing order that has not been shown yet. */
export function nextHint(ordered: IndexedHint[], shown: number[]): IndexedHint | undefined {
  const seen = new Set(shown);
  return ordered.find((hint) => !seen.has(hint.index));
}
