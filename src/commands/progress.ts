import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { backupDir, backupFiles } from '../course/backups.js';
import { displayPath, exerciseState, loadLearnerState } from '../course/exercise-state.js';
import { mergeProgress, validateProgress } from '../course/progress-transfer.js';
import { ExitCode, usageError } from '../errors.js';
import type { Io } from '../ui/io.js';
import { formatTable } from '../ui/table.js';
import { progressPath, writeProgress, type Progress } from '../workspace/progress.js';
import { styleState } from './list.js';

export interface ProgressOptions {
  cwd: string;
}

/** Formats an ISO time as local date and time to the minute, e.g. 2026-12-04 21:05, for tables. */
function formatTime(iso: string | undefined): string {
  if (!iso) return '-';
  const date = new Date(iso);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Prints a table of every exercise (state, attempts, last run) and the quiz score. */
export async function progress(options: ProgressOptions, io: Io): Promise<number> {
  const { day, progress } = loadLearnerState(options.cwd);
  const rows = day.exercises.map((exercise) => {
    const entry = progress.exercises[exercise.id];
    return [exercise.id, styleState(io, exerciseState(progress, exercise.id)), String(entry?.attempts ?? 0), formatTime(entry?.lastRun)];
  });
  for (const line of formatTable(['exercise', 'state', 'attempts', 'last run'], rows, io.colors.dim)) io.out(line);
  io.out('');
  const passed = day.exercises.filter((exercise) => exerciseState(progress, exercise.id) === 'passed').length;
  io.out(`Exercises: ${passed} of ${day.exercises.length} passed.`);
  const quiz = progress.quiz?.[day.id];
  if (quiz) io.out(`Quiz: best ${quiz.bestScore} of ${quiz.questions}, last ${quiz.lastScore} of ${quiz.questions} (${formatTime(quiz.lastTakenAt)}).`);
  else io.out(`Quiz: not taken yet (mq-course quiz ${day.id}).`);
  return ExitCode.ok;
}

export interface ExportOptions {
  cwd: string;
  file?: string;
}

/** Writes the progress as JSON to stdout, or to a file. */
export async function exportProgress(options: ExportOptions, io: Io): Promise<number> {
  const { progress } = loadLearnerState(options.cwd);
  const json = JSON.stringify(progress, null, 2) + '\n';
  if (!options.file) {
    io.out(json.trimEnd());
    return ExitCode.ok;
  }
  const target = path.resolve(options.cwd, options.file);
  writeFileSync(target, json);
  io.err(`Progress written to ${displayPath(options.cwd, target)}.`);
  return ExitCode.ok;
}

export interface ImportOptions {
  cwd: string;
  file: string;
  replace?: boolean;
}

function readImport(file: string): Progress {
  if (!existsSync(file)) throw usageError(`The file to import, ${file}, was not found.`, 'give the path of a file written by `mq-course progress export <file>`');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw usageError(`The file to import, ${file}, is not valid JSON: ${(error as Error).message}.`, 'give the path of a file written by `mq-course progress export <file>`');
  }
  const problems = validateProgress(parsed);
  if (problems.length) {
    const newer = problems.some((problem) => problem.startsWith('formatVersion') && problem.includes('newer'));
    throw usageError(
      `The file to import, ${file}, is not a valid progress file: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}.`,
      newer ? 'a newer mq-course wrote it: update this one (npm install -g mq-course@latest), then import again' : 'export it again with `mq-course progress export <file>`, or fix those fields',
    );
  }
  return parsed as Progress;
}

/**
 * Imports a progress file. By default it merges into the current progress (see mergeProgress);
 * --replace swaps the whole file. Either way the current file is backed up first.
 */
export async function importProgress(options: ImportOptions, io: Io): Promise<number> {
  const { workspace, day, progress: current } = loadLearnerState(options.cwd);
  const incoming = readImport(path.resolve(options.cwd, options.file));

  const known = new Set(day.exercises.map((exercise) => exercise.id));
  const unknown = Object.keys(incoming.exercises).filter((id) => !known.has(id));
  if (unknown.length) io.err(io.colors.yellow(`Note: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not exercises of ${day.id} in this version; kept in the file but not listed.`));

  const backup = backupDir(workspace.root);
  const saved = backupFiles(workspace.root, [path.relative(workspace.root, progressPath(workspace.root))], backup);
  const result = options.replace ? incoming : mergeProgress(current, incoming);
  writeProgress(workspace.root, result);

  const passed = day.exercises.filter((exercise) => exerciseState(result, exercise.id) === 'passed').length;
  io.out(`${options.replace ? 'Replaced' : 'Merged'} progress from ${options.file}: ${passed} of ${day.exercises.length} exercises passed now.`);
  if (saved.length) io.out(`The previous progress file is backed up in ${displayPath(options.cwd, backup)}.`);
  return ExitCode.ok;
}
