import { resolveEndpoints, type EndpointFlags } from '../brokers/endpoints.js';
import { ensureBrokers } from '../checking/brokers-ready.js';
import { RunAborted } from '../checking/runner.js';
import { findExercise, type Exercise } from '../course/catalog.js';
import { EventQueue } from '../course/event-queue.js';
import { displayPath, exerciseAfter, exerciseDir, loadLearnerState, nextExercise } from '../course/exercise-state.js';
import { isFolder, watchFolder, type FileWatcher } from '../course/file-watch.js';
import { ExitCode, environmentError } from '../errors.js';
import type { Io } from '../ui/io.js';
import { listenForKeys, type KeyAction } from '../ui/keys.js';
import { readProgress } from '../workspace/progress.js';
import { interruptedMessage, runChecks } from './check.js';

export interface WatchOptions extends EndpointFlags {
  cwd: string;
  exercise?: string;
  poll?: boolean;
  debug?: boolean;
}

type WatchEvent = KeyAction | 'change';

// Clears the screen and the scrollback, then moves the cursor home, so each verdict starts at the top.
const CLEAR_SCREEN = '\x1b[2J\x1b[3J\x1b[H';

/**
 * Re-runs an exercise's checks whenever a file in its folder changes. After a pass, Enter moves
 * on to the next exercise that has not passed. q quits with exit 0 and Ctrl-C with exit 130, also
 * in the middle of a run, because the run's teardown still removes its processes and queues.
 */
export async function watch(options: WatchOptions, io: Io): Promise<number> {
  const { workspace, day, progress } = loadLearnerState(options.cwd);
  let exercise: Exercise | undefined = options.exercise ? findExercise(day, options.exercise) : nextExercise(day, progress);
  if (!exercise) {
    io.out(io.colors.green(`Every exercise of ${day.id} passed. Watch one again with \`mq-course watch <exercise>\`.`));
    return ExitCode.ok;
  }
  const endpoints = resolveEndpoints(options, io.env, workspace.config);
  const poll = Boolean(options.poll) || io.env.MQ_COURSE_WATCH_POLL === '1';

  const events = new EventQueue<WatchEvent>();
  let abort = new AbortController();
  const onEvent = (event: WatchEvent) => {
    if (event === 'quit' || event === 'interrupt') abort.abort();
    events.push(event);
  };
  const onSignal = () => onEvent('interrupt');
  const stopKeys = listenForKeys(onEvent);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let watcher: FileWatcher | undefined;

  try {
    for (;;) {
      // No "start them?" prompt here: it would compete with the key listener for stdin.
      await ensureBrokers(exercise.brokers, endpoints, workspace, { ...io, interactive: false });
      const folder = exerciseDir(workspace.root, exercise);
      if (!isFolder(folder)) throw environmentError(`The exercise folder ${folder} is missing.`, `restore it with \`mq-course reset ${exercise.id}\``);
      watcher?.close();
      watcher = watchFolder(folder, () => onEvent('change'), { poll });
      const where = `${displayPath(options.cwd, folder)} (${watcher.mode === 'polling' ? 'polling every 0.5 s' : 'file events'})`;

      const outcome = await watchExercise(exercise, where, events, () => (abort = new AbortController()).signal);
      if (outcome !== 'next') return outcome;

      const after = exerciseAfter(day, readProgress(workspace.root), exercise);
      if (!after) {
        io.out(io.colors.green(`Every exercise of ${day.id} passed. Check what stuck: mq-course quiz ${day.id}`));
        return ExitCode.ok;
      }
      exercise = after;
    }
  } finally {
    watcher?.close();
    stopKeys();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  /** Runs the checks on every change until the learner moves on ("next") or leaves (an exit code). */
  async function watchExercise(current: Exercise, where: string, queue: EventQueue<WatchEvent>, freshSignal: () => AbortSignal): Promise<number | 'next'> {
    const { colors } = io;
    for (;;) {
      if (io.interactive) io.out(CLEAR_SCREEN);
      else io.out(colors.dim(`──── ${new Date().toLocaleTimeString()} ────`));
      io.out(`Watching ${where}. Save a file to re-run; Enter re-runs now, q quits.`);

      let passed: boolean;
      let runId: string | undefined;
      try {
        const results = await runChecks(
          { day, workspace, exercises: [current], endpoints, reporter: 'pretty', repeat: 1, cwd: options.cwd, signal: freshSignal(), debug: options.debug, onStart: (id) => (runId = id) },
          io,
        );
        passed = results.every((result) => result.status === 'passed');
      } catch (error) {
        if (!(error instanceof RunAborted)) throw error;
        const stop = queue.drain().find((event) => event === 'quit' || event === 'interrupt');
        if (stop === 'quit') return ExitCode.ok;
        io.err(interruptedMessage(runId));
        return ExitCode.interrupted;
      }

      io.out('');
      if (passed) io.out(colors.green.bold(`✓ ${current.id} passed.`) + ' Press Enter for the next exercise, or q to quit.');
      else io.out(colors.red.bold(`✗ ${current.id} failed.`) + ' Fix the code and save; the checks run again by themselves.');

      // Changes saved during the run count: re-run at once rather than wait for another save.
      const during = queue.drain();
      const stop = during.find((event) => event === 'quit' || event === 'interrupt');
      if (stop) return stop === 'quit' ? ExitCode.ok : ExitCode.interrupted;
      if (during.includes('change')) continue;

      const event = await queue.take();
      if (event === 'quit') return ExitCode.ok;
      if (event === 'interrupt') return ExitCode.interrupted;
      if (event === 'enter' && passed) return 'next';
    }
  }
}
