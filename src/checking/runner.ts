import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Endpoints } from '../brokers/endpoints.js';
import type { Exercise } from '../course/catalog.js';
import { isCliError } from '../errors.js';
import { CheckFailure, isCheckFailure } from './failure.js';
import { KafkaTools } from './kafka.js';
import { LearnerProcess } from './learner.js';
import { RabbitTools } from './rabbit.js';
import type { CheckContext, CheckDefinition, ExerciseResult, ProgramSpawn, StepResult } from './types.js';

export interface RunOptions {
  exercise: Exercise;
  check: CheckDefinition<any>;
  workspaceRoot: string;
  endpoints: Endpoints;
  /** Aborting it (Ctrl-C) stops the current step; teardown still runs. */
  signal?: AbortSignal;
  debug?: boolean;
  onStep?: (step: StepResult) => void;
  /** Called with the run id before anything is created on the brokers. */
  onStart?: (runId: string) => void;
}

/** Every learner process of every run in this CLI process, so an exit handler can kill them all. */
export const liveProcesses = new Set<LearnerProcess>();

export class RunAborted extends Error {
  constructor() {
    super('The check run was interrupted.');
  }
}

/** Makes a fresh run id, the prefix of every broker object the run creates: mqc-<number>-<6 hex>. */
export function newRunId(exercise: Exercise): string {
  return `mqc-${String(exercise.number).padStart(2, '0')}-${randomBytes(3).toString('hex')}`;
}

/** Runs one exercise's steps in order, stops at the first failure, and always tears the run down. */
export async function runExercise(options: RunOptions): Promise<ExerciseResult> {
  const { exercise, check, workspaceRoot, endpoints } = options;
  const runId = newRunId(exercise);
  options.onStart?.(runId);
  const started = Date.now();
  const clock = () => Date.now() - started;
  const processes: LearnerProcess[] = [];
  const traceLines: string[] = [];
  const cleanups: Array<() => Promise<void> | void> = [];
  const exerciseDir = path.posix.join('exercises', exercise.id);
  let rabbit: RabbitTools | undefined;
  let kafka: KafkaTools | undefined;

  const context: CheckContext<any> = {
    runId,
    endpoints,
    workspaceRoot,
    exerciseDir,
    state: check.initialState?.() ?? {},
    get rabbit() {
      return (rabbit ??= new RabbitTools(endpoints.amqpUrl, endpoints.managementUrl, runId, clock));
    },
    get kafka() {
      return (kafka ??= new KafkaTools(endpoints, runId, options.debug));
    },
    name: (suffix) => `${runId}.${suffix}`,
    spawn: (spawn: ProgramSpawn) => {
      // A step abandoned by Ctrl-C may still be running after teardown began: it starts nothing more.
      if (over) throw new RunAborted();
      const learner = new LearnerProcess(
        {
          name: spawn.name,
          file: path.join(exerciseDir, spawn.program),
          env: {
            AMQP_URL: endpoints.amqpUrl,
            KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
            RUN_ID: runId,
            ...(spawn.env ?? {}),
          },
          input: spawn.input,
          exits: spawn.exits,
        },
        workspaceRoot,
        clock,
      );
      processes.push(learner);
      liveProcesses.add(learner);
      void learner.exited.then(() => liveProcesses.delete(learner));
      return learner;
    },
    trace: (line) => traceLines.push(`${(clock() / 1000).toFixed(2).padStart(6)}s  ${line}`),
    elapsed: clock,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    readSource: (program) => readFileSync(path.join(workspaceRoot, exerciseDir, program), 'utf8'),
    defer: (cleanup) => cleanups.push(cleanup),
  };

  const steps: StepResult[] = [];
  let failed = false;
  let over = false;
  try {
    for (const step of check.steps) {
      if (failed) {
        steps.push({ id: step.id, title: step.title, status: 'skipped', durationMs: 0 });
        continue;
      }
      const stepStart = Date.now();
      try {
        await raceStep(step.run(context), step.timeoutMs, processes, options.signal);
        steps.push({ id: step.id, title: step.title, status: 'passed', durationMs: Date.now() - stepStart });
      } catch (error) {
        // Ctrl-C, and an environment problem (the workspace lost its tsx, say), are no verdict on the learner's code.
        if (error instanceof RunAborted || isCliError(error)) throw error;
        failed = true;
        let failure = isCheckFailure(error) ? error : new CheckFailure(`The check itself failed: ${(error as Error).message}`, { next: 'run again; if it repeats, report it with the output of --debug' });
        if (!failure.details.mistake || failure.details.mistake === 'program-exited') {
          const output = processes.flatMap((learner) => learner.output.map((line) => line.line));
          failure = check.diagnose?.(failure, output) ?? failure;
        }
        steps.push({
          id: step.id,
          title: step.title,
          status: 'failed',
          durationMs: Date.now() - stepStart,
          message: failure.message,
          ...failure.details,
        });
        if (options.debug && !isCheckFailure(error)) traceLines.push(String((error as Error).stack));
      }
      options.onStep?.(steps[steps.length - 1]);
    }
  } finally {
    over = true;
    await teardown(processes, rabbit, kafka, cleanups);
  }

  return {
    exercise: exercise.id,
    title: exercise.title,
    status: failed ? 'failed' : 'passed',
    durationMs: Date.now() - started,
    runId,
    steps,
    trace: failed ? traceLines : [],
    programs: failed
      ? processes.map((learner) => ({
          name: learner.name,
          lines: learner.tail(40).map((line) => line.line),
          exit: learner.exit ? describeExit(learner.exit.code, learner.exit.signal, learner.stoppedByChecker) : undefined,
        }))
      : [],
  };
}

/**
 * Runs a step against its deadline, a learner program that dies on its own, and Ctrl-C. An
 * unexpected exit fails the step at once, with the program's last output in the report.
 */
async function raceStep(run: Promise<void>, timeoutMs: number, processes: LearnerProcess[], signal?: AbortSignal): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const guards = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckFailure(`This step did not finish within ${(timeoutMs / 1000).toFixed(0)} s.`, { next: 'look at the program output below for what it was doing' })), timeoutMs);
    poll = setInterval(() => {
      const dead = processes.find((learner) => learner.exit && !learner.stoppedByChecker && !learner.options.exits);
      if (dead) {
        reject(
          new CheckFailure(`${dead.name} exited on its own (${describeExit(dead.exit!.code, dead.exit!.signal, false)}) while the check still needed it.`, {
            mistake: 'program-exited',
            next: 'read its output below: an unhandled error, a TODO left in the starter, or a missing `await` that lets the program fall off the end',
          }),
        );
      }
    }, 50);
    if (signal) {
      onAbort = () => reject(new RunAborted());
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  run.catch(() => {});
  try {
    await Promise.race([run, guards]);
  } finally {
    clearTimeout(timer);
    clearInterval(poll);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

function describeExit(code: number | null, signal: string | null, byChecker: boolean): string {
  const how = signal ? `killed by ${signal}` : `exit code ${code}`;
  return byChecker ? `${how}, stopped by the checker` : how;
}

/** Kills every learner process of the run, runs the deferred cleanups, then deletes the run's broker objects. Bounded in time. */
async function teardown(processes: LearnerProcess[], rabbit: RabbitTools | undefined, kafka: KafkaTools | undefined, cleanups: Array<() => Promise<void> | void>): Promise<void> {
  await Promise.all(processes.map((learner) => learner.kill('SIGKILL').catch(() => {})));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(processes.map((learner) => learner.exited)), new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
  clearTimeout(timer);
  for (const cleanup of cleanups.reverse()) {
    await Promise.race([Promise.resolve().then(cleanup).catch(() => {}), new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
    clearTimeout(timer);
  }
  await Promise.all([rabbit?.teardown(), kafka?.teardown()]);
}
