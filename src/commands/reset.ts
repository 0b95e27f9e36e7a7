import path from 'node:path';
import { findExercise } from '../course/catalog.js';
import { templateFiles, writeTemplates } from '../course/exercise-files.js';
import { displayPath, loadLearnerState } from '../course/exercise-state.js';
import { ExitCode } from '../errors.js';
import type { Io } from '../ui/io.js';

export interface ResetOptions {
  cwd: string;
  exercise: string;
}

/** Restores an exercise's starter files; the learner's versions go to a timestamped backup first. Progress is kept. */
export async function reset(options: ResetOptions, io: Io): Promise<number> {
  const { workspace, day } = loadLearnerState(options.cwd);
  const exercise = findExercise(day, options.exercise);
  const outcome = writeTemplates(workspace.root, templateFiles(exercise, 'starter'));
  const shown = (relative: string) => displayPath(options.cwd, path.join(workspace.root, relative));

  if (outcome.written.length === 0) {
    io.out(`${exercise.id} already has its starter files; nothing to reset.`);
    return ExitCode.ok;
  }
  io.out(`Restored the starter of ${exercise.id}: ${outcome.written.map(shown).join(', ')}`);
  if (outcome.backup) io.out(`Your previous files are backed up in ${displayPath(options.cwd, outcome.backup)}`);
  io.out(`Progress is unchanged; run \`mq-course check ${day.id} ${exercise.id}\` when you are ready.`);
  return ExitCode.ok;
}
