import type { BrokerName, Endpoints } from '../brokers/endpoints.js';
import type { CheckFailure } from './failure.js';
import type { KafkaTools } from './kafka.js';
import type { LearnerProcess } from './learner.js';
import type { RabbitTools } from './rabbit.js';

export interface ProgramSpawn {
  /** Label in the report, e.g. "worker-a". */
  name: string;
  /** File name inside the exercise folder, e.g. "worker.ts". */
  program: string;
  /** Exercise-specific variables; AMQP_URL, KAFKA_BROKERS and RUN_ID are always set. */
  env?: Record<string, string>;
  input?: string;
  exits?: boolean;
}

/** The view of a run that a step's code gets: the run's names, the broker tools and the learner's programs. */
export interface CheckContext<State = Record<string, unknown>> {
  readonly runId: string;
  readonly endpoints: Endpoints;
  readonly workspaceRoot: string;
  /** The exercise folder, relative to the workspace root, e.g. "exercises/01-work-queue". */
  readonly exerciseDir: string;
  readonly rabbit: RabbitTools;
  readonly kafka: KafkaTools;
  readonly state: State;
  /** A broker object name owned by this run: `${runId}.${suffix}`. */
  name(suffix: string): string;
  spawn(options: ProgramSpawn): LearnerProcess;
  /** Adds a line to the run's message trace, shown when a step fails. */
  trace(line: string): void;
  /** Milliseconds since the run started. */
  elapsed(): number;
  /** Waits a fixed time. Only for fault timing (e.g. "publish while the consumer is down"), never for readiness. */
  sleep(ms: number): Promise<void>;
  /** Reads a learner file inside the exercise folder, for diagnoses that need the source. */
  readSource(program: string): string;
  /**
   * Registers a cleanup (closing a proxy a fault tool started, say) that runs at teardown after
   * the learner processes are killed, whether the steps passed or not. A cleanup that throws is
   * ignored, and one still running after 5 s is left behind.
   */
  defer(cleanup: () => Promise<void> | void): void;
}

export interface StepDefinition<State = Record<string, unknown>> {
  /** Stable id, used for hints keyed to a step, for --json and for tests. */
  id: string;
  title: string;
  /** Deadline for the whole step, in milliseconds; passing it fails the step as a timeout. */
  timeoutMs: number;
  run(context: CheckContext<State>): Promise<void>;
}

export interface CheckDefinition<State = Record<string, unknown>> {
  brokers: BrokerName[];
  /** Creates the state the steps share. */
  initialState?: () => State;
  steps: StepDefinition<State>[];
  /**
   * Turns a generic failure (a program that crashed, a timeout) into a named mistake when the
   * programs' output shows one, e.g. a broker error. Returns undefined to keep the failure as it is.
   */
  diagnose?: (failure: CheckFailure, output: string[]) => CheckFailure | undefined;
}

export function defineCheck<State = Record<string, unknown>>(definition: CheckDefinition<State>): CheckDefinition<State> {
  return definition;
}

export type StepStatus = 'passed' | 'failed' | 'skipped';

export interface StepResult {
  id: string;
  title: string;
  status: StepStatus;
  durationMs: number;
  message?: string;
  mistake?: string;
  expected?: string;
  actual?: string;
  next?: string;
  comparison?: { expected: string[]; actual: string[] };
}

export interface ProgramOutput {
  name: string;
  lines: string[];
  exit?: string;
}

export interface ExerciseResult {
  exercise: string;
  title: string;
  status: 'passed' | 'failed';
  durationMs: number;
  runId: string;
  steps: StepResult[];
  /** The checker's message trace and the programs' output, kept only when a step failed. */
  trace: string[];
  programs: ProgramOutput[];
}
