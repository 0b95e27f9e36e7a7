import path from 'node:path';
import { displayPath, exerciseDir, exerciseState, loadLearnerState, nextExercise } from '../course/exercise-state.js';
import { ExitCode } from '../errors.js';
import type { Io } from '../ui/io.js';

export interface NextOptions {
  cwd: string;
}

/** Shows the first exercise that has not passed: where its files are and how to check it. */
export async function next(options: NextOptions, io: Io): Promise<number> {
  const { workspace, day, progress } = loadLearnerState(options.cwd);
  const exercise = nextExercise(day, progress);
  const { colors } = io;
  if (!exercise) {
    io.out(colors.green(`Every exercise of ${day.id} passed (${day.exercises.length} of ${day.exercises.length}).`));
    io.out(`Take the quiz: mq-course quiz ${day.id}`);
    return ExitCode.ok;
  }

  const folder = exerciseDir(workspace.root, exercise);
  const state = exerciseState(progress, exercise.id);
  io.out(`${colors.bold(exercise.id)}  ${exercise.title}${state === 'failed' ? colors.red('  (failed last time)') : ''}`);
  io.out(`  ${exercise.summary}`);
  io.out('');
  io.out(`  folder:  ${displayPath(options.cwd, folder)}`);
  io.out(`  read:    ${displayPath(options.cwd, path.join(folder, 'README.md'))}`);
  io.out(`  edit:    ${exercise.programs.map((program) => displayPath(options.cwd, path.join(folder, program))).join(', ')}`);
  io.out(`  check:   mq-course check ${day.id} ${exercise.id}`);
  io.out(`  stuck?   mq-course hint ${exercise.id}`);
  return ExitCode.ok;
}
