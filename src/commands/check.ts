import { resolveEndpoints } from '../brokers/endpoints.js';
import { ensureBrokers } from '../checking/brokers-ready.js';
import { printExerciseHeader, printFailureDetails, printStep } from '../checking/reporters/pretty.js';
import { toJunit } from '../checking/reporters/junit.js';
import { liveProcesses, runExercise, RunAborted } from '../checking/runner.js';
import type { ExerciseResult } from '../checking/types.js';
import { findExercise, loadCheck, loadDay, type Exercise } from '../course/catalog.js';
import { ExitCode, usageError } from '../errors.js';
import { killTree } from '../platform.js';
import type { Io } from '../ui/io.js';
import { requireWorkspace } from '../workspace/config.js';
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

export async function check(options: CheckOptions, io: Io): Promise<number> {
  const day = loadDay(options.day);
  const workspace = requireWorkspace(options.cwd);
  if (workspace.config.day !== day.id) {
    throw usageError(`This workspace is for ${workspace.config.day}, not ${day.id}.`, `run \`mq-course check ${workspace.config.day}\``);
  }
  const exercises: Exercise[] = options.exercise ? [findExercise(day, options.exercise)] : day.exercises;
  const repeat = Number(options.repeat ?? '1');
  if (!Number.isInteger(repeat) || repeat < 1) throw usageError(`Invalid --repeat "${options.repeat}": expected a whole number of 1 or more.`, 'for example --repeat 20');
  const reporter = options.json ? 'json' : (options.reporter ?? 'pretty');
  const pretty = reporter === 'pretty';

  const endpoints = resolveEndpoints(options, io.env, workspace.config);
  await ensureBrokers([...new Set(exercises.flatMap((exercise) => exercise.brokers))], endpoints, workspace, io);

  // Ctrl-C stops the running step; teardown still deletes the run's queues, topics and processes.
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const stopExitHandler = killLeftoversOnExit();

  const results: ExerciseResult[] = [];
  let interrupted = false;
  let currentRunId = '';
  try {
    for (const exercise of exercises) {
      const check = await loadCheck(day, exercise);
      let passes = 0;
      for (let attempt = 1; attempt <= repeat; attempt++) {
        if (pretty) printExerciseHeader(io, exercise);
        if (pretty && repeat > 1) io.out(io.colors.dim(`  run ${attempt} of ${repeat}`));
        const result = await runExercise({
          exercise,
          check,
          workspaceRoot: workspace.root,
          endpoints,
          signal: abort.signal,
          debug: options.debug,
          onStart: (runId) => (currentRunId = runId),
          onStep: pretty ? (step) => step.status !== 'skipped' && printStep(io, step) : undefined,
        });
        results.push(result);
        recordCheck(workspace.root, exercise.id, result.status === 'passed', result.steps.find((step) => step.status === 'failed')?.id);
        if (result.status === 'passed') passes++;
        else if (pretty) printFailureDetails(io, exercise, result, options.cwd, workspace.root);
      }
      if (repeat > 1 && pretty) io.out(`  ${exercise.id}: passed ${passes} of ${repeat} runs (${((passes / repeat) * 100).toFixed(0)}%)`);
      if (passes < repeat && !options.keepGoing && repeat === 1) break;
    }
  } catch (error) {
    if (!(error instanceof RunAborted)) throw error;
    interrupted = true;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    stopExitHandler();
  }

  if (interrupted) {
    io.err(`Interrupted: run ${currentRunId} was stopped; its queues, exchanges, topics, consumer groups and processes were removed.`);
    return ExitCode.interrupted;
  }
  const passed = results.every((result) => result.status === 'passed');
  if (reporter === 'json') io.out(JSON.stringify({ day: day.id, status: passed ? 'passed' : 'failed', exercises: results }, null, 2));
  else if (reporter === 'junit') io.out(toJunit(day.id, results));
  else printSummary(io, day.id, exercises, results);
  return passed ? ExitCode.ok : ExitCode.checkFailed;
}

function printSummary(io: Io, dayId: string, exercises: Exercise[], results: ExerciseResult[]): void {
  const { colors } = io;
  const ran = new Set(results.map((result) => result.exercise));
  const failed = results.filter((result) => result.status === 'failed');
  const notRun = exercises.filter((exercise) => !ran.has(exercise.id));
  io.out('');
  if (failed.length === 0) {
    io.out(colors.green(`All checks passed (${results.length} run${results.length === 1 ? '' : 's'}).`));
    return;
  }
  io.out(colors.red(`${failed[0].exercise} failed.`) + (notRun.length ? ` ${notRun.length} later exercise(s) not run.` : ''));
  io.out(`Fix it, then run: mq-course check ${dayId} ${failed[0].exercise}`);
}
