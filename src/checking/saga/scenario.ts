// Running saga scenarios against the learner's orchestrator and comparing each saga's trace
// with the trace a correct orchestrator produces for the same script.
import type { CheckContext } from '../types.js';
import { firstDifference } from './analysis.js';
import { expectedTrace, type ExpectOptions, type SagaScript } from './expected.js';
import { startSaga, type SagaRun } from './harness.js';
import { formatEntry, type TraceEntry, type TraceLine } from './protocol.js';

export interface SagaCase {
  sagaId: string;
  script: SagaScript;
}

/** One saga's traces side by side. */
export interface SagaComparison {
  sagaId: string;
  expected: TraceLine[];
  actual: TraceEntry[];
  lines: { expected: string[]; actual: string[] };
  matches: boolean;
}

export function compareSaga(run: SagaRun, sagaCase: SagaCase, options: ExpectOptions): SagaComparison {
  const expected = expectedTrace(sagaCase.sagaId, sagaCase.script, options);
  const actual = run.participants.entriesOf(sagaCase.sagaId);
  const lines = { expected: expected.map(formatEntry), actual: actual.map(formatEntry) };
  return { sagaId: sagaCase.sagaId, expected, actual, lines, matches: firstDifference(lines.expected, lines.actual) === -1 };
}

/** Waits until the saga has an outcome; false when the window ends first or a contract problem appears. */
export function waitForOutcome(run: SagaRun, sagaId: string, windowMs: number): Promise<boolean> {
  return run.participants.waitUntil(() => run.participants.outcomeOf(sagaId) !== undefined, windowMs);
}

/**
 * Runs sagas one after another, each to its outcome, so a wrong trace belongs to one saga alone.
 * Stops at the first saga without an outcome in `windowMs`; returns the sagas that ran.
 */
export async function runOneByOne(context: CheckContext<any>, run: SagaRun, cases: SagaCase[], windowMs: number): Promise<SagaCase[]> {
  const ran: SagaCase[] = [];
  for (const sagaCase of cases) {
    await startSaga(context, run, sagaCase.sagaId, sagaCase.script);
    ran.push(sagaCase);
    if (!(await waitForOutcome(run, sagaCase.sagaId, windowMs))) break;
  }
  return ran;
}

/** Starts every saga at once and waits until all have outcomes or the window ends. */
export async function runTogether(context: CheckContext<any>, run: SagaRun, cases: SagaCase[], windowMs: number): Promise<boolean> {
  await Promise.all(cases.map((sagaCase) => startSaga(context, run, sagaCase.sagaId, sagaCase.script)));
  return run.participants.waitUntil(() => cases.every((sagaCase) => run.participants.outcomeOf(sagaCase.sagaId)), windowMs);
}
