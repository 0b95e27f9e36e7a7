import { findExercise, loadCheck } from '../course/catalog.js';
import { loadLearnerState } from '../course/exercise-state.js';
import { nextHint, orderHints, type IndexedHint } from '../course/hints.js';
import { ExitCode } from '../errors.js';
import type { Io } from '../ui/io.js';
import { renderMarkdown } from '../ui/markdown.js';
import { recordHintsShown } from '../workspace/progress.js';

export interface HintOptions {
  cwd: string;
  exercise: string;
  all?: boolean;
}

function printHint(io: Io, hint: IndexedHint, position: number, total: number, failedStep: string | undefined, failedTitle: string | undefined): void {
  const forStep = failedStep && hint.step === failedStep ? io.colors.dim(` (for the failed step: ${failedTitle ?? failedStep})`) : '';
  io.out(io.colors.bold(`Hint ${position} of ${total}`) + forStep);
  for (const line of renderMarkdown(hint.text, io.colors, 76)) io.out(`  ${line}`);
}

/**
 * Shows the next hint not shown before, or every hint with --all. After a failed check the hints
 * keyed to the failed step come first. Progress remembers which hints were shown.
 */
export async function hint(options: HintOptions, io: Io): Promise<number> {
  const { workspace, day, progress } = loadLearnerState(options.cwd);
  const exercise = findExercise(day, options.exercise);
  const entry = progress.exercises[exercise.id];
  const failedStep = entry?.state === 'failed' ? entry.failedStep : undefined;
  const failedTitle = failedStep && (await loadCheck(day, exercise)).steps.find((step) => step.id === failedStep)?.title;
  const ordered = orderHints(exercise, entry);
  const total = ordered.length;

  if (total === 0) {
    io.out(`${exercise.id} has no hints. Its README has the details: exercises/${exercise.id}/README.md`);
    return ExitCode.ok;
  }

  if (options.all) {
    ordered.forEach((item, position) => {
      if (position > 0) io.out('');
      printHint(io, item, position + 1, total, failedStep, failedTitle);
    });
    recordHintsShown(workspace.root, exercise.id, ordered.map((item) => item.index));
    return ExitCode.ok;
  }

  const shown = progress.hintsShown?.[exercise.id] ?? [];
  const item = nextHint(ordered, shown);
  if (!item) {
    io.out(`You have seen all ${total} hints for ${exercise.id}.`);
    io.out(`  Show them again:         mq-course hint ${exercise.id} --all`);
    io.out(`  Compare with a solution: mq-course solution ${exercise.id} --force`);
    return ExitCode.ok;
  }
  printHint(io, item, shown.length + 1, total, failedStep, failedTitle);
  recordHintsShown(workspace.root, exercise.id, [item.index]);
  const left = total - shown.length - 1;
  io.out('');
  io.out(io.colors.dim(left > 0 ? `${left} more: run \`mq-course hint ${exercise.id}\` again, or add --all.` : 'That was the last hint.'));
  return ExitCode.ok;
}
