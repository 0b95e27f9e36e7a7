import { fail } from '../../src/checking/failure.js';
import type { LearnerProcess } from '../../src/checking/learner.js';
import { commandIdsOf, compensationOrder, firstDifference, seconds, succeeded } from '../../src/checking/saga/analysis.js';
import { failOnContractProblem, prepareSagaRun, startOrchestrator, startSaga, type SagaRun } from '../../src/checking/saga/harness.js';
import { formatEntry, type TraceEntry } from '../../src/checking/saga/protocol.js';
import { inspectReplyQueue } from '../../src/checking/saga/reply-queue.js';
import { removeSagaDatabase, sagaDatabaseFor } from '../../src/checking/saga/run-files.js';
import { compareSaga, waitForOutcome, type SagaCase, type SagaComparison } from '../../src/checking/saga/scenario.js';
import { explainUnexpectedCommand, nextCommandAfter } from '../../src/checking/saga/timing.js';
import { defineCheck, type CheckContext } from '../../src/checking/types.js';

interface State {
  run?: SagaRun;
  orchestrator?: LearnerProcess;
  env: Record<string, string>;
  database: string;
}

type Context = CheckContext<State>;

export const mistakes = {
  volatileReplyQueue: 'volatile-reply-queue',
  stateInMemory: 'state-in-memory',
  timerNotCancelled: 'timer-not-cancelled',
  timeoutAsNeverHappened: 'timeout-as-never-happened',
  newCommandIdOnResend: 'new-command-id-on-resend',
  noStepTimeout: 'no-step-timeout',
  timeoutTooEarly: 'timeout-too-early',
  timeoutTooLate: 'timeout-too-late',
  lateReplyAccepted: 'late-reply-accepted',
  duplicateReplyAdvances: 'duplicate-reply-advances',
  compensatesAfterPivot: 'compensates-after-pivot',
  repeatsCompletedSteps: 'repeats-completed-steps',
  resumedStepTimedOut: 'resumed-step-timed-out',
  stuck: 'saga-stuck',
} as const;

const TIMEOUTS = { timeouts: true };
// Short enough to keep the exercise fast, and long enough that a loaded two-core machine never
// delays a reply past it, because replies here take milliseconds (0.35 s where a step sets that).
const STEP_TIMEOUT_MS = 1000;
// The orchestrator starts its timer as it publishes, and the command reaches the checker a few
// milliseconds later, so a compensation may arrive slightly less than STEP_TIMEOUT_MS after it.
const EARLY_SLACK_MS = 150;
// "Not much after": timers in Node fire within milliseconds. 1 s of slack covers a busy machine
// and still fails an orchestrator that checks its deadlines only every few seconds.
const LATE_SLACK_MS = 1000;
// A saga here needs at most two timeouts plus a few milliseconds per message.
const SAGA_WINDOW_MS = 2 * STEP_TIMEOUT_MS + 3000;
// A stray command (a reaction to a duplicate or late reply) follows its cause within milliseconds.
const SETTLE_MS = 400;
// How long the participant delays the reply to AuthorizePayment after the stale copy of
// InventoryReserved is confirmed. An orchestrator that takes the copy for that reply sends
// CapturePayment within milliseconds, so inside this window, and the real reply still comes about
// 0.4 s after AuthorizePayment, far inside STEP_TIMEOUT_MS.
const DUPLICATE_WINDOW_MS = 400;

function orchestratorEnv(state: State): Record<string, string> {
  return { RETRY_DELAY_MS: '100', STEP_TIMEOUT_MS: String(STEP_TIMEOUT_MS), SAGA_DB: state.database };
}

function failTrace(comparison: SagaComparison, message: string, details: { mistake?: string; next: string }): never {
  fail(message, { ...details, comparison: comparison.lines });
}

/** Starts a saga, waits for its outcome and for stray commands, and returns its traces. */
async function runSaga(context: Context, sagaCase: SagaCase): Promise<SagaComparison> {
  const run = context.state.run!;
  await startSaga(context, run, sagaCase.sagaId, sagaCase.script);
  await waitForOutcome(run, sagaCase.sagaId, SAGA_WINDOW_MS);
  failOnContractProblem(run);
  await context.sleep(SETTLE_MS);
  failOnContractProblem(run);
  return compareSaga(run, sagaCase, TIMEOUTS);
}

/** Names what a wrong trace shows about timers, or fails with the plain difference. */
function diagnoseTimers(comparison: SagaComparison, title: string): never {
  const index = firstDifference(comparison.lines.expected, comparison.lines.actual);
  const early = explainUnexpectedCommand(comparison.actual, index, STEP_TIMEOUT_MS);
  if (early?.staleTimerOf) {
    failTrace(comparison, `${title}: ${early.entry.type} went out ${seconds(early.sincePending)} after ${early.pending.type}, exactly STEP_TIMEOUT_MS after ${early.staleTimerOf.type}, which had its reply long before. The timer of an answered command was still running and acted on the saga.`, {
      mistake: mistakes.timerNotCancelled,
      next: 'clear the step timer when its reply arrives (clearTimeout), and in the timeout handler act only if the saga still waits for that commandId',
    });
  }
  if (early && early.sincePending < STEP_TIMEOUT_MS - EARLY_SLACK_MS) {
    failTrace(comparison, `${title}: ${early.entry.type} went out ${seconds(early.sincePending)} after ${early.pending.type}, before its STEP_TIMEOUT_MS of ${seconds(STEP_TIMEOUT_MS)} had passed.`, {
      mistake: mistakes.timeoutTooEarly,
      next: 'start one timer per command when you send it, read its length from STEP_TIMEOUT_MS, and measure from that command, not from the start of the saga',
    });
  }
  if (!comparison.actual.some((entry) => entry.kind === 'outcome')) {
    const last = comparison.actual.at(-1);
    failTrace(comparison, `${title}: saga ${comparison.sagaId} had no outcome within ${seconds(SAGA_WINDOW_MS)}; it stopped after "${last ? formatEntry(last) : 'nothing'}".`, {
      mistake: mistakes.stuck,
      next: 'read the output below for the step where the orchestrator stopped',
    });
  }
  failTrace(comparison, `${title}: the trace of saga ${comparison.sagaId} differs from the expected one (first difference marked).`, { next: 'compare the two columns' });
}

/** Returns whether the traces first differ after the actual reply marked `note` (a duplicate or late reply). */
function differsAfter(comparison: SagaComparison, note: 'duplicate' | 'late'): boolean {
  const marked = comparison.actual.findIndex((entry) => entry.note === note);
  return marked !== -1 && firstDifference(comparison.lines.expected, comparison.lines.actual) > marked;
}

/** Waits for the first command after `after`; fails when STEP_TIMEOUT_MS plus the slack passes with none. */
async function expectTimeoutReaction(context: Context, sagaCase: SagaCase, after: TraceEntry, expectedReaction: string): Promise<TraceEntry> {
  const run = context.state.run!;
  const { sagaId } = sagaCase;
  const window = STEP_TIMEOUT_MS + LATE_SLACK_MS + 500;
  await run.participants.waitUntil(() => nextCommandAfter(run.participants.entriesOf(sagaId), after) !== undefined, window);
  failOnContractProblem(run);
  const next = nextCommandAfter(run.participants.entriesOf(sagaId), after);
  if (!next) {
    fail(`${after.type} of saga ${sagaId} got no reply, and ${seconds(window)} later the orchestrator was still waiting for it: it has no step timeout.`, {
      mistake: mistakes.noStepTimeout,
      expected: `${expectedReaction} ${seconds(STEP_TIMEOUT_MS)} (STEP_TIMEOUT_MS) after ${after.type}`,
      next: 'start a timer of STEP_TIMEOUT_MS when you send a command; when it ends before the reply, treat the step as timed out',
      comparison: compareSaga(run, sagaCase, TIMEOUTS).lines,
    });
  }
  return next;
}

/** Waits for a command of `type` from saga `sagaId`, e.g. the one a participant holds back. */
async function waitForCommand(context: Context, sagaCase: SagaCase, type: string): Promise<TraceEntry> {
  const run = context.state.run!;
  const { sagaId } = sagaCase;
  const find = () => run.participants.entriesOf(sagaId).find((entry) => entry.kind === 'command' && entry.type === type);
  await run.participants.waitUntil(() => find() !== undefined, SAGA_WINDOW_MS);
  failOnContractProblem(run);
  const command = find();
  if (!command) fail(`Saga ${sagaId} never sent ${type} within ${seconds(SAGA_WINDOW_MS)}.`, { mistake: mistakes.stuck, next: 'read the output below', comparison: compareSaga(run, sagaCase, TIMEOUTS).lines });
  return command;
}

/** A silent AuthorizePayment: the compensation must start STEP_TIMEOUT_MS after it, and undo it too. */
async function checkSilentParticipant(context: Context, sagaCase: SagaCase): Promise<void> {
  const run = context.state.run!;
  await startSaga(context, run, sagaCase.sagaId, sagaCase.script);
  const authorize = await waitForCommand(context, sagaCase, 'AuthorizePayment');
  const next = await expectTimeoutReaction(context, sagaCase, authorize, 'the compensation starts');
  const after = next.at - authorize.at;
  context.trace(`${next.type} came ${seconds(after)} after AuthorizePayment (window ${seconds(STEP_TIMEOUT_MS - EARLY_SLACK_MS)} to ${seconds(STEP_TIMEOUT_MS + LATE_SLACK_MS)})`);
  const comparison = await settle(context, sagaCase);
  if (after < STEP_TIMEOUT_MS - EARLY_SLACK_MS) {
    failTrace(comparison, `The silent participant's step timed out ${seconds(after)} after AuthorizePayment, before STEP_TIMEOUT_MS (${seconds(STEP_TIMEOUT_MS)}) had passed.`, {
      mistake: mistakes.timeoutTooEarly,
      next: 'start the timer when you send the command, with STEP_TIMEOUT_MS, and measure from that command, not from the start of the saga',
    });
  }
  if (after > STEP_TIMEOUT_MS + LATE_SLACK_MS) {
    failTrace(comparison, `The silent participant's step timed out only ${seconds(after)} after AuthorizePayment, long after STEP_TIMEOUT_MS (${seconds(STEP_TIMEOUT_MS)}).`, {
      mistake: mistakes.timeoutTooLate,
      next: 'use one setTimeout(..., STEP_TIMEOUT_MS) per command instead of checking deadlines now and then',
    });
  }
  if (comparison.matches) return;
  const undone = compensationOrder(comparison.actual);
  if (undone.includes('ReleaseInventory') && !undone.includes('VoidPayment')) {
    failTrace(comparison, 'After AuthorizePayment timed out, the orchestrator released the inventory but never voided the payment. A timeout does not mean the step did nothing: the payment may be authorized and only its reply lost.', {
      mistake: mistakes.timeoutAsNeverHappened,
      next: 'on a timeout before the pivot, compensate the timed-out step too (VoidPayment), then the completed steps, newest first',
    });
  }
  diagnoseTimers(comparison, 'Silent participant');
}

/** Waits for the outcome and the stray commands after it, then compares. */
async function settle(context: Context, sagaCase: SagaCase): Promise<SagaComparison> {
  const run = context.state.run!;
  await waitForOutcome(run, sagaCase.sagaId, SAGA_WINDOW_MS);
  failOnContractProblem(run);
  await context.sleep(SETTLE_MS);
  failOnContractProblem(run);
  return compareSaga(run, sagaCase, TIMEOUTS);
}

/** Kills the orchestrator while AuthorizePayment waits for its reply, replies, restarts it. */
async function checkCrashResume(context: Context, sagaCase: SagaCase): Promise<void> {
  const run = context.state.run!;
  await startSaga(context, run, sagaCase.sagaId, sagaCase.script);
  const authorize = await waitForCommand(context, sagaCase, 'AuthorizePayment');
  const replyQueue = await inspectReplyQueue(context.rabbit, context.endpoints.managementUrl, authorize.replyTo!);
  context.trace(replyQueue.description);

  context.trace(`SIGKILL to ${context.state.orchestrator!.name} while AuthorizePayment ${sagaCase.sagaId} waits for its reply`);
  await context.state.orchestrator!.kill('SIGKILL');
  await context.state.orchestrator!.exited;
  if (replyQueue.problem) {
    fail(`${replyQueue.description} The orchestrator was just killed while it waited for the reply to AuthorizePayment, so that reply has nowhere to wait.`, {
      mistake: mistakes.volatileReplyQueue,
      next: 'declare REPLY_QUEUE with { durable: true } (not exclusive, not auto-delete), consume it with manual acks, and put its name in replyTo',
    });
  }
  await run.participants.release(sagaCase.sagaId, 'AuthorizePayment');
  const waiting = await context.rabbit.inspectQueue(authorize.replyTo!);
  context.trace(`PaymentAuthorized sent while the orchestrator is down; ${authorize.replyTo} holds ${waiting?.messageCount ?? 0} message(s)`);

  const restartAt = context.elapsed();
  context.state.orchestrator = await startOrchestrator(context, run, 'create-order-saga (restarted)', context.state.env);
  const comparison = await settle(context, sagaCase);
  // A resumed orchestrator may resend the command it waited for, which is harmless with the same commandId.
  const actual = comparison.actual.filter((entry) => !(entry.type === 'AuthorizePayment' || entry.type === 'PaymentAuthorized') || entry.note !== 'again');
  const lines = { expected: comparison.lines.expected, actual: actual.map(formatEntry) };
  if (firstDifference(lines.expected, lines.actual) === -1) return;

  const traces = { comparison: lines };
  const afterRestart = actual.filter((entry) => entry.at >= restartAt);
  if (afterRestart.some((entry) => entry.kind === 'command' && entry.type === 'ReserveInventory')) {
    fail('After the restart, the orchestrator started the saga again from ReserveInventory, repeating steps that had completed before the crash.', {
      mistake: mistakes.repeatsCompletedSteps,
      next: 'on start, load each unfinished saga from SAGA_DB and continue from the step it was waiting for',
      ...traces,
    });
  }
  if (commandIdsOf(comparison.actual, 'AuthorizePayment').length > 1) {
    fail('After the restart, the orchestrator sent AuthorizePayment again with a new commandId, so the payment service took it for a second payment.', {
      mistake: mistakes.newCommandIdOnResend,
      next: 'resend a command with the commandId you saved before sending it the first time',
      ...traces,
    });
  }
  if (afterRestart.some((entry) => entry.kind === 'command' && (entry.type === 'VoidPayment' || entry.type === 'ReleaseInventory'))) {
    fail('After the restart, the orchestrator timed out AuthorizePayment although its reply was waiting in the reply queue.', {
      mistake: mistakes.resumedStepTimedOut,
      next: 'give a resumed step a whole STEP_TIMEOUT_MS from the restart, and load the sagas before you consume REPLY_QUEUE',
      ...traces,
    });
  }
  if (!afterRestart.some((entry) => entry.kind === 'command')) {
    const left = await context.rabbit.inspectQueue(authorize.replyTo!);
    if (left && left.messageCount === 0) {
      fail(`The restarted orchestrator took the PaymentAuthorized reply from ${authorize.replyTo} but never sent CapturePayment: it lost saga ${sagaCase.sagaId} when it died.`, {
        mistake: mistakes.stateInMemory,
        next: 'save the saga to SAGA_DB (SQLite) before each command, and on start load every unfinished saga before consuming replies',
        ...traces,
      });
    }
    fail(`The restarted orchestrator did not take the PaymentAuthorized reply that waits in ${authorize.replyTo}.`, { mistake: mistakes.stuck, next: 'consume REPLY_QUEUE when the orchestrator starts', ...traces });
  }
  fail(`After the restart, the trace of saga ${sagaCase.sagaId} differs from the expected one (first difference marked).`, { next: 'compare the two columns', ...traces });
}

export default defineCheck<State>({
  brokers: ['rabbitmq'],
  initialState: () => ({ env: {}, database: '' }),
  steps: [
    {
      id: 'happy-path',
      title: 'a saga whose steps all succeed is approved',
      timeoutMs: 30_000,
      async run(context) {
        context.state.database = sagaDatabaseFor(context.workspaceRoot, context.runId);
        context.state.env = orchestratorEnv(context.state);
        context.trace(`SAGA_DB for this run: ${context.state.database}`);
        const run = (context.state.run = await prepareSagaRun(context));
        context.state.orchestrator = await startOrchestrator(context, run, 'create-order-saga', context.state.env);
        const comparison = await runSaga(context, { sagaId: 's-1', script: {} });
        if (!comparison.matches) diagnoseTimers(comparison, 'Happy path');
        await context.state.orchestrator.waitForEvent((event) => event.event === 'saga-completed' && event.sagaId === 's-1', 2000, '{"event":"saga-completed","sagaId":"s-1",...} after publishing the outcome');
      },
    },
    {
      id: 'replies-in-time',
      title: 'replies that come before the timeout cancel it: nothing times out',
      timeoutMs: 20_000,
      async run(context) {
        // Each reply takes 0.35 s, well inside the 1 s timeout. The saga takes about 1.4 s, so a
        // timer left running after its reply ends while the saga is still under way.
        const comparison = await runSaga(context, { sagaId: 's-2', script: { replyDelayMs: 350 } });
        if (!comparison.matches) diagnoseTimers(comparison, 'Slow replies');
      },
    },
    {
      id: 'silent-participant',
      title: 'a silent participant leads to compensation after STEP_TIMEOUT_MS, not before, not much after',
      timeoutMs: 20_000,
      async run(context) {
        // ReserveInventory's reply takes 0.35 s, so a deadline counted from the start of the saga fires visibly early.
        await checkSilentParticipant(context, { sagaId: 's-3', script: { attempts: { AuthorizePayment: ['silent'] }, replyDelayMs: (type) => (type === 'ReserveInventory' ? 350 : 0) } });
      },
    },
    {
      id: 'late-reply',
      title: 'a reply that comes after the timeout changes nothing',
      timeoutMs: 20_000,
      async run(context) {
        const comparison = await runSaga(context, { sagaId: 's-4', script: { attempts: { AuthorizePayment: ['late'] } } });
        if (comparison.matches) return;
        if (differsAfter(comparison, 'late')) {
          failTrace(comparison, 'PaymentAuthorized arrived after AuthorizePayment had timed out and the saga was rejected, and the orchestrator acted on it.', {
            mistake: mistakes.lateReplyAccepted,
            next: 'accept a reply only if the saga still waits for its commandId; ignore (and report) any other',
          });
        }
        diagnoseTimers(comparison, 'Late reply');
      },
    },
    {
      id: 'duplicate-reply',
      title: 'a duplicate reply sends the next command once',
      timeoutMs: 20_000,
      async run(context) {
        // The copy of InventoryReserved goes out only after AuthorizePayment has arrived, while the
        // saga waits for PaymentAuthorized, which the participant delays by DUPLICATE_WINDOW_MS.
        const comparison = await runSaga(context, { sagaId: 's-5', script: { attempts: { ReserveInventory: ['twice'] }, duplicateWindowMs: DUPLICATE_WINDOW_MS } });
        if (comparison.matches) return;
        if (differsAfter(comparison, 'duplicate')) {
          failTrace(comparison, 'A second copy of InventoryReserved arrived while the saga waited for the reply to AuthorizePayment, and the orchestrator took it for that reply: it moved on right after the duplicate, before PaymentAuthorized existed.', {
            mistake: mistakes.duplicateReplyAdvances,
            next: 'accept a reply only if its commandId is the one the saga waits for now; ignore a copy of an earlier reply',
          });
        }
        diagnoseTimers(comparison, 'Duplicate reply');
      },
    },
    {
      id: 'resend-same-id',
      title: 'a timed-out step after the pivot is resent with the same commandId',
      timeoutMs: 20_000,
      async run(context) {
        // The shipping service schedules the first ScheduleShipping but its reply comes only after the outcome.
        const sagaCase: SagaCase = { sagaId: 's-6', script: { attempts: { ScheduleShipping: ['late'] } } };
        const comparison = await runSaga(context, sagaCase);
        if (comparison.matches) return;
        if (commandIdsOf(comparison.actual, 'ScheduleShipping').length > 1) {
          failTrace(comparison, 'ScheduleShipping timed out and was resent with a new commandId, so the shipping service scheduled the order twice: its first attempt had worked, only the reply was late.', {
            mistake: mistakes.newCommandIdOnResend,
            next: 'resend a timed-out command with the commandId it was first sent with',
          });
        }
        if (succeeded(comparison.actual, 'CapturePayment') && compensationOrder(comparison.actual).length) {
          failTrace(comparison, 'ScheduleShipping timed out after the payment was captured, and the orchestrator compensated. After the pivot the saga only goes forward.', {
            mistake: mistakes.compensatesAfterPivot,
            next: 'when a step after the pivot times out, send the same command again (same commandId)',
          });
        }
        if (commandIdsOf(comparison.actual, 'ScheduleShipping').length === 1 && !comparison.actual.some((entry) => entry.kind === 'outcome')) {
          failTrace(comparison, 'ScheduleShipping got no reply, and the orchestrator never sent it again: a step after the pivot must be retried until it succeeds.', {
            mistake: mistakes.noStepTimeout,
            next: 'when the timer of ScheduleShipping ends, send the same command again with the same commandId',
          });
        }
        diagnoseTimers(comparison, 'Resend after a timeout');
      },
    },
    {
      id: 'crash-resume',
      title: 'killed while a command waits for its reply, the restarted orchestrator completes the saga without repeating steps',
      timeoutMs: 40_000,
      async run(context) {
        await checkCrashResume(context, { sagaId: 's-7', script: { attempts: { AuthorizePayment: ['hold'] } } });
        // Passed: this run's database is of no more use.
        await context.state.orchestrator!.stop();
        removeSagaDatabase(context.state.database);
      },
    },
  ],
});
