import path from 'node:path';
import { findExercise, type Exercise } from '../course/catalog.js';
import { templateFiles, writeTemplates } from '../course/exercise-files.js';
import { displayPath, exerciseState, loadLearnerState } from '../course/exercise-state.js';
import { ExitCode, usageError } from '../errors.js';
import type { Io } from '../ui/io.js';

export interface SolutionOptions {
  cwd: string;
  exercise: string;
  force?: boolean;
  yes?: boolean;
  write?: boolean;
}

/** Asks before revealing the solution of an exercise that has not passed. Returns false when the learner declines. */
async function confirmReveal(options: SolutionOptions, exercise: Exercise, io: Io): Promise<boolean> {
  if (options.yes) return true;
  if (!io.interactive) {
    throw usageError(`Showing the solution of ${exercise.id} before it passes needs a confirmation, and there is no terminal to ask on.`, `mq-course solution ${exercise.id} --force --yes`);
  }
  const { confirm } = await import('@inquirer/prompts');
  return confirm({ message: `${exercise.id} has not passed yet. Show the reference solution anyway?`, default: false });
}

/**
 * Shows an exercise's reference solution once it has passed, or after a confirmed --force.
 * --write puts it into the workspace, backing up the learner's files first.
 */
export async function solution(options: SolutionOptions, io: Io): Promise<number> {
  const { workspace, day, progress } = loadLearnerState(options.cwd);
  const exercise = findExercise(day, options.exercise);
  const passed = exerciseState(progress, exercise.id) === 'passed';

  if (!passed) {
    if (!options.force) {
      throw usageError(
        `${exercise.id} has not passed yet, so its solution stays hidden.`,
        `try \`mq-course hint ${exercise.id}\` first; to see it anyway, run \`mq-course solution ${exercise.id} --force\``,
      );
    }
    if (!(await confirmReveal(options, exercise, io))) {
      io.out('Solution not shown.');
      return ExitCode.ok;
    }
  }

  const files = templateFiles(exercise, 'solution');
  if (options.write) {
    const outcome = writeTemplates(workspace.root, files);
    const shown = (relative: string) => displayPath(options.cwd, path.join(workspace.root, relative));
    if (outcome.written.length) io.out(`Wrote the reference solution of ${exercise.id}: ${outcome.written.map(shown).join(', ')}`);
    if (outcome.unchanged.length) io.out(`Already the reference solution: ${outcome.unchanged.map(shown).join(', ')}`);
    if (outcome.backup) io.out(`Your previous files are backed up in ${displayPath(options.cwd, outcome.backup)}`);
    return ExitCode.ok;
  }

  for (const file of files) {
    io.out(io.colors.bold(`── ${file.relative} (reference solution) ──`));
    io.out(file.content.toString('utf8').trimEnd());
    io.out('');
  }
  io.out(io.colors.dim(`Put it into your workspace with \`mq-course solution ${exercise.id} --write\` (your files are backed up first).`));
  return ExitCode.ok;
}
