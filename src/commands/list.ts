import { displayPath, exerciseState, loadLearnerState, nextExercise, type ExerciseState } from '../course/exercise-state.js';
import { ExitCode } from '../errors.js';
import type { Io } from '../ui/io.js';
import { formatTable } from '../ui/table.js';

export interface ListOptions {
  cwd: string;
}

/** Colours a state for the terminal; the words stay the same without colour. */
export function styleState(io: Io, state: ExerciseState): string {
  if (state === 'passed') return io.colors.green(state);
  if (state === 'failed') return io.colors.red(state);
  return io.colors.dim(state);
}

/** Lists the day's exercises with their state, marking the next one to do with an arrow. */
export async function list(options: ListOptions, io: Io): Promise<number> {
  const { workspace, day, progress } = loadLearnerState(options.cwd);
  const next = nextExercise(day, progress);
  const rows = day.exercises.map((exercise) => [
    exercise.id === next?.id ? io.colors.cyan('→') : ' ',
    exercise.id,
    styleState(io, exerciseState(progress, exercise.id)),
    exercise.title,
  ]);
  io.out(io.colors.bold(day.title));
  for (const line of formatTable(['', 'exercise', 'state', 'title'], rows, io.colors.dim)) io.out(line);
  io.out('');
  const passed = day.exercises.filter((exercise) => exerciseState(progress, exercise.id) === 'passed').length;
  io.out(`${passed} of ${day.exercises.length} passed.`);
  if (next) io.out(`Next: ${next.id} (mq-course next), then \`mq-course check ${day.id} ${next.id}\`. Workspace: ${displayPath(options.cwd, workspace.root)}`);
  else io.out(`Every exercise passed. Take the quiz: mq-course quiz ${day.id}`);
  return ExitCode.ok;
}
