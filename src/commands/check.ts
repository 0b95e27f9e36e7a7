import { resolveEndpoints, type Endpoints } from '../brokers/endpoints.js';
import { ensureBrokers } from '../checking/brokers-ready.js';
import { printExerciseHeader, printFailureDetails, printStep } from '../checking/reporters/pretty.js';
import { toJunit } from '../checking/reporters/junit.js';
import { tsxLoader } from '../checking/learner.js';
import { liveProcesses, runExercise, RunAborted } from '../checking/runner.js';
import type { ExerciseResult } from '../checking/types.js';
import { findExercise, loadCheck, loadDay, type Day, type Exercise } from '../course/catalog.js';
import { ExitCode, usageError } from '../errors.js';
import { killTree } from '../platform.js';
import type { Io } from '../ui/io.js';
import { requireWorkspace, type Workspace } from '../workspace/config.js';
import { recordCheck } from '../workspace/progress.js';

export interface CheckOptions {
  cwd: string;
  day: string;
  exercise?: string;
  json?: boolean;
  reporter?: 'pretty' | 'json' | 'junit';
  repeat?: string;
  keepGoing?: boolean;
  amqpUrl?: string;
  kafkaBrokers?: string;
  debug?: boolean;
}

/** Kills learner process groups synchronously when the CLI exits for any reason. */
function killLeftoversOnExit(): () => void {
  const handler = () => {
    for (const learner of liveProcesses) if (learner.pid) void killTree(learner.pid, 'SIGKILL').catch(() => {});
  };
  process.on('exit', handler);
  return () => process.off('exit', handler);
}

/** The inputs of one round of checks. `check` and `watch` both build one. */
export interface CheckRun {
  day: Day;
  workspace: Workspace;
  exercises: Exercise[];
  endpoints: Endpoints;
  reporter: 'pretty' | 'json' | 'junit';
  repeat: number;
  keepGoing?: boolean;
  /** The folder that `path:line` references in the report are relative to. */
  cwd: string;
  signal: AbortSignal;
  debug?: boolean;
  /** Called with each run id as a run starts, so an interruption can name the run it stopped. */
  onStart?: (runId: string) => void;
}

/**
 * Runs the checks of each exercise in order, records every run in progress, and prints the pretty
 * report as it goes (the json and junit reports are left to the caller). Stops after the first
 * failing exercise unless keepGoing or repeat is set. Throws RunAborted when the signal fires.
 */
export async function runChecks(run: CheckRun, io: Io): Promise<ExerciseResult[]> {
  const { workspace, repeat } = run;
  const pretty = run.reporter === 'pretty';
  const results: ExerciseResult[] = [];
  const stopExitHandler = killLeftoversOnExit();
  try {
    for (const exercise of run.exercises) {
      const check = await loadCheck(run.day, exercise);
      let passes = 0;
      for (let attempt = 1; attempt <= repeat; attempt++) {
        if (pretty) printExerciseHeader(io, exercise);
        if (pretty && repeat > 1) io.out(io.colors.dim(`  run ${attempt} of ${repeat}`));
        const result = await runExercise({
          exercise,
          check,
          workspaceRoot: workspace.root,
          endpoints: run.endpoints,
          signal: run.signal,
          debug: run.debug,
          onStart: run.onStart,
          onStep: pretty ? (step) => step.status !== 'skipped' && printStep(io, step) : undefined,
        });
        results.push(result);
        recordCheck(workspace.root, exercise.id, result.status === 'passed', result.steps.find((step) => step.status === 'failed')?.id);
        if (result.status === 'passed') passes++;
        else if (pretty) printFailureDetails(io, exercise, result, run.cwd, workspace.root);
      }
      if (repeat > 1 && pretty) io.out(`  ${exercise.id}: passed ${passes} of ${repeat} runs (${((passes / repeat) * 100).toFixed(0)}%)`);
      if (passes < repeat && !run.keepGoing && repeat === 1) break;
    }
  } finally {
    stopExitHandler();
  }
  return results;
}

export async function check(options: CheckOptions, io: Io): Promise<number> {
  const day = loadDay(options.day);
  const workspace = requireWorkspace(options.cwd);
  // Fails with exit 3 and the fix when the workspace lost its node_modules, before any run starts.
  tsxLoader(workspace.root);
  if (workspace.config.day !== day.id) {
    throw usageError(`This workspace is for ${workspace.config.day}, not ${day.id}.`, `run \`mq-course check ${workspace.config.day}\``);
  }
  const exercises: Exercise[] = options.exercise ? [findExercise(day, options.exercise)] : day.exercises;
  const repeat = Number(options.repeat ?? '1');
  if (!Number.isInteger(repeat) || repeat < 1) throw usageError(`Invalid --repeat "${options.repeat}": expected a whole number of 1 or more.`, 'for example --repeat 20');
  const reporter = options.json ? 'json' : (options.reporter ?? 'pretty');

  const endpoints = resolveEndpoints(options, io.env, workspace.config);
  // A machine-readable report keeps stdout for itself, so no "start the brokers?" prompt there.
  const brokerIo = reporter === 'pretty' ? io : { ...io, interactive: false };
  await ensureBrokers([...new Set(exercises.flatMap((exercise) => exercise.brokers))], endpoints, workspace, brokerIo);

  // Ctrl-C stops the running step; teardown still deletes the run's queues, topics and processes.
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let results: ExerciseResult[];
  let runId: string | undefined;
  try {
    results = await runChecks(
      { day, workspace, exercises, endpoints, reporter, repeat, keepGoing: options.keepGoing, cwd: options.cwd, signal: abort.signal, debug: options.debug, onStart: (id) => (runId = id) },
      io,
    );
  } catch (error) {
    if (!(error instanceof RunAborted)) throw error;
    io.err(interruptedMessage(runId));
    return ExitCode.interrupted;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const passed = results.every((result) => result.status === 'passed');
  if (reporter === 'json') io.out(JSON.stringify({ day: day.id, status: passed ? 'passed' : 'failed', exercises: results }, null, 2));
  else if (reporter === 'junit') io.out(toJunit(day.id, results));
  else printSummary(io, day.id, exercises, results);
  return passed ? ExitCode.ok : ExitCode.checkFailed;
}

/** Builds the line printed after Ctrl-C, naming the run whose queues, topics and processes were removed. */
export function interruptedMessage(runId: string | undefined): string {
  const run = runId ? `run ${runId}` : 'the run';
  return `Interrupted: ${run} was stopped; its queues, exchanges, topics, consumer groups and processes were removed.`;
}

function printSummary(io: Io, dayId: string, exercises: Exercise[], results: ExerciseResult[]): void {
  const { colors } = io;
  const ran = new Set(results.map((result) => result.exercise));
  const failed = results.filter((result) => result.status === 'failed');
  const notRun = exercises.filter((exercise) => !ran.has(exercise.id));
  io.out('');
  if (failed.length === 0) {
    const exerciseCount = new Set(results.map((result) => result.exercise)).size;
    const counted = results.length === exerciseCount ? `${exerciseCount} exercise${exerciseCount === 1 ? '' : 's'}` : `${results.length} runs of ${exerciseCount} exercise${exerciseCount === 1 ? '' : 's'}`;
    io.out(colors.green(`All checks passed (${counted}).`));
    return;
  }
  const failedIds = [...new Set(failed.map((result) => result.exercise))];
  io.out(colors.red(`${failedIds.join(', ')} failed.`) + (notRun.length ? ` ${notRun.length} later exercise(s) not run.` : ''));
  io.out(`Fix it, then run: mq-course check ${dayId} ${failed[0].exercise}`);
}
