import { fail } from '../../src/checking/failure.js';
import type { LearnerProcess } from '../../src/checking/learner.js';
import { compensationOrder, compensationsOfUnfinishedSteps, failuresNotRetried, succeeded } from '../../src/checking/saga/analysis.js';
import type { Behaviour } from '../../src/checking/saga/expected.js';
import { failOnContractProblem, prepareSagaRun, startOrchestrator, type SagaRun } from '../../src/checking/saga/harness.js';
import { COMPENSATIONS, formatEntry } from '../../src/checking/saga/protocol.js';
import { inspectReplyQueue } from '../../src/checking/saga/reply-queue.js';
import { compareSaga, runOneByOne, runTogether, type SagaCase, type SagaComparison } from '../../src/checking/saga/scenario.js';
import { defineCheck, type CheckContext } from '../../src/checking/types.js';

interface State {
  run?: SagaRun;
  orchestrator?: LearnerProcess;
}

type Context = CheckContext<State>;

export const mistakes = {
  forwardOrder: 'forward-order-compensation',
  compensatesUnfinished: 'compensates-unfinished-step',
  compensatesAfterPivot: 'compensates-after-pivot',
  sharedState: 'saga-state-shared',
  givesUpOnCompensation: 'gives-up-on-compensation',
  retriableNotRetried: 'retriable-step-not-retried',
  missingCompensation: 'missing-compensation',
  stuck: 'saga-stuck',
  volatileReplyQueue: 'volatile-reply-queue',
} as const;

const NO_TIMEOUTS = { timeouts: false };
// The checker's retries wait 100 ms instead of the default 500 ms, so retry scenarios stay short.
const RETRY_DELAY_MS = '100';
// A saga here is at most a dozen messages of a few milliseconds each on a local broker. 5 s is
// many times what a working orchestrator needs on a busy two-core machine, so a saga without an
// outcome by then is stuck.
const SAGA_WINDOW_MS = 5000;
// A stray command after the outcome (a late compensation, say) follows within milliseconds.
const SETTLE_MS = 300;

const fails = (...behaviours: Behaviour[]) => behaviours;

/** Fails with the catalogued mistake that a wrong trace shows, most specific first. */
function diagnose(comparison: SagaComparison, title: string): never {
  const { actual, expected, sagaId } = comparison;
  const traces = { comparison: comparison.lines };
  const expectedOrder = compensationOrder(expected);
  const actualOrder = compensationOrder(actual);
  const outcome = actual.find((entry) => entry.kind === 'outcome');

  if (succeeded(actual, 'CapturePayment') && actualOrder.length) {
    fail(`${title}: saga ${sagaId} sent ${actualOrder.join(' and ')} after CapturePayment had succeeded. CapturePayment is the pivot: once it succeeds the saga can only go forward.`, {
      mistake: mistakes.compensatesAfterPivot,
      next: 'when a step after the pivot fails (ScheduleShipping), send it again after RETRY_DELAY_MS instead of compensating',
      ...traces,
    });
  }
  const unfinished = compensationsOfUnfinishedSteps(actual);
  if (unfinished.length) {
    fail(`${title}: saga ${sagaId} sent ${unfinished.join(' and ')}, undoing a step that never succeeded (the failed step itself, or one that never ran).`, {
      mistake: mistakes.compensatesUnfinished,
      next: 'compensate only the steps whose success reply you received: the steps before the failed one, newest first',
      ...traces,
    });
  }
  if (actualOrder.length > 1 && actualOrder.length === expectedOrder.length && actualOrder.every((type) => expectedOrder.includes(type)) && actualOrder.join() !== expectedOrder.join()) {
    fail(`${title}: saga ${sagaId} undid its steps in the order they ran (${actualOrder.join(', ')}), not newest first (${expectedOrder.join(', ')}).`, {
      mistake: mistakes.forwardOrder,
      next: 'walk the completed steps backwards: the last step to succeed is the first to undo',
      ...traces,
    });
  }
  const abandoned = failuresNotRetried(actual);
  const abandonedCompensation = abandoned.find((type) => COMPENSATIONS.has(type));
  if (abandonedCompensation) {
    fail(`${title}: ${abandonedCompensation} failed for saga ${sagaId} and was never sent again. A compensation must succeed in the end, or the saga leaves the order half undone.`, {
      mistake: mistakes.givesUpOnCompensation,
      next: `when a compensation reply has ok: false, send the same compensation again after RETRY_DELAY_MS until it succeeds`,
      ...traces,
    });
  }
  if (abandoned.includes('ScheduleShipping')) {
    fail(`${title}: ScheduleShipping failed for saga ${sagaId} and was never sent again. It comes after the pivot and is retriable: the saga must retry it until it succeeds.`, {
      mistake: mistakes.retriableNotRetried,
      next: 'when ScheduleShipping fails, send it again after RETRY_DELAY_MS (as many times as it takes)',
      ...traces,
    });
  }
  const missing = expectedOrder.filter((type) => !actualOrder.includes(type));
  if (outcome && missing.length) {
    fail(`${title}: saga ${sagaId} ended without ${missing.join(' and ')}: a step that succeeded was never undone.`, {
      mistake: mistakes.missingCompensation,
      next: 'before publishing OrderRejected, compensate every step that succeeded, newest first',
      ...traces,
    });
  }
  if (!outcome) {
    const last = actual.at(-1);
    fail(`${title}: saga ${sagaId} had no outcome within ${SAGA_WINDOW_MS / 1000} s; it stopped after "${last ? formatEntry(last) : 'nothing'}".`, {
      mistake: mistakes.stuck,
      next: last?.kind === 'reply' ? 'consume REPLY_QUEUE and send the next command when a reply for the pending commandId arrives' : 'read the output below: the orchestrator stopped before its next command',
      ...traces,
    });
  }
  fail(`${title}: the trace of saga ${sagaId} differs from the expected one (first difference marked).`, { next: 'compare the two columns: one command at a time, the reply decides what comes next', ...traces });
}

/** Runs sagas one by one, then checks each trace once the stragglers had time to show. */
async function expectTraces(context: Context, cases: SagaCase[], title: string): Promise<void> {
  const run = context.state.run!;
  const ran = await runOneByOne(context, run, cases, SAGA_WINDOW_MS);
  failOnContractProblem(run);
  await context.sleep(SETTLE_MS);
  failOnContractProblem(run);
  for (const sagaCase of ran) {
    const comparison = compareSaga(run, sagaCase, NO_TIMEOUTS);
    if (!comparison.matches) diagnose(comparison, title);
  }
}

/** Twenty sagas of mixed fates; the reply delays make their messages interleave. */
function concurrentCases(): SagaCase[] {
  const scripts = [
    {},
    { ReserveInventory: fails('fail') },
    { AuthorizePayment: fails('fail') },
    { CapturePayment: fails('fail') },
    { ScheduleShipping: fails('fail') },
    { AuthorizePayment: fails('fail'), ReleaseInventory: fails('fail') },
  ];
  return Array.from({ length: 20 }, (_, index) => ({
    sagaId: `c-${String(index + 1).padStart(2, '0')}`,
    script: { attempts: scripts[index % scripts.length], replyDelayMs: () => Math.floor(Math.random() * 60) },
  }));
}

export default defineCheck<State>({
  brokers: ['rabbitmq'],
  initialState: () => ({}),
  steps: [
    {
      id: 'happy-path',
      title: 'a saga whose steps all succeed runs them in order and is approved',
      timeoutMs: 30_000,
      async run(context) {
        const run = (context.state.run = await prepareSagaRun(context));
        context.state.orchestrator = await startOrchestrator(context, run, 'create-order-saga', { RETRY_DELAY_MS });
        await expectTraces(context, [{ sagaId: 's-1', script: {} }], 'Happy path');

        const replyTo = await replyQueueOf(context);
        const finding = await inspectReplyQueue(context.rabbit, context.endpoints.managementUrl, replyTo);
        context.trace(finding.description);
        if (finding.problem) {
          fail(finding.description, { mistake: mistakes.volatileReplyQueue, next: 'declare REPLY_QUEUE with assertQueue(REPLY_QUEUE, { durable: true }) and put its name in replyTo' });
        }
        await context.state.orchestrator.waitForEvent((event) => event.event === 'saga-completed' && event.sagaId === 's-1', 2000, '{"event":"saga-completed","sagaId":"s-1",...} after publishing the outcome');
      },
    },
    {
      id: 'compensate-each-step',
      title: 'a failure at each step undoes exactly the completed steps, newest first',
      timeoutMs: 30_000,
      async run(context) {
        await expectTraces(
          context,
          [
            { sagaId: 's-2', script: { attempts: { ReserveInventory: fails('fail') } } },
            { sagaId: 's-3', script: { attempts: { AuthorizePayment: fails('fail') } } },
            { sagaId: 's-4', script: { attempts: { CapturePayment: fails('fail') } } },
          ],
          'Failure at each step',
        );
      },
    },
    {
      id: 'pivot',
      title: 'nothing is compensated after the pivot (CapturePayment)',
      timeoutMs: 20_000,
      async run(context) {
        await expectTraces(context, [{ sagaId: 's-5', script: { attempts: { ScheduleShipping: fails('fail') } } }], 'After the pivot');
      },
    },
    {
      id: 'retriable-step',
      title: 'a retriable step that fails four times is retried until it succeeds',
      timeoutMs: 20_000,
      async run(context) {
        await expectTraces(context, [{ sagaId: 's-6', script: { attempts: { ScheduleShipping: fails('fail', 'fail', 'fail', 'fail') } } }], 'Retriable step');
      },
    },
    {
      id: 'compensation-retry',
      title: 'a failing compensation is retried until it succeeds',
      timeoutMs: 20_000,
      async run(context) {
        await expectTraces(context, [{ sagaId: 's-7', script: { attempts: { CapturePayment: fails('fail'), VoidPayment: fails('fail'), ReleaseInventory: fails('fail', 'fail') } } }], 'Failing compensation');
      },
    },
    {
      id: 'concurrent',
      title: '20 concurrent sagas with interleaved replies each trace correctly',
      timeoutMs: 30_000,
      async run(context) {
        const run = context.state.run!;
        const cases = concurrentCases();
        // Each saga needs well under a second; 10 s leaves room for 20 at once on a busy machine.
        await runTogether(context, run, cases, 10_000);
        failOnContractProblem(run);
        await context.sleep(SETTLE_MS);
        failOnContractProblem(run);
        const wrong = cases.map((sagaCase) => compareSaga(run, sagaCase, NO_TIMEOUTS)).filter((comparison) => !comparison.matches);
        if (wrong.length === 0) return;
        context.trace(`wrong traces: ${wrong.map((comparison) => comparison.sagaId).join(', ')}`);
        // One at a time, these same scripts traced correctly in the steps before; only running them together differs.
        fail(`Run one at a time, sagas like these traced correctly; run together, ${wrong.length} of ${cases.length} went wrong (saga ${wrong[0].sagaId} below). The orchestrator mixes up the state of different sagas.`, {
          mistake: mistakes.sharedState,
          next: 'keep each saga in a Map keyed by sagaId, and find it from the sagaId and commandId of each reply, never from a variable shared by all sagas',
          comparison: wrong[0].lines,
        });
      },
    },
  ],
});

/** Returns the replyTo queue named by the first command the participants received. */
async function replyQueueOf(context: Context): Promise<string> {
  const first = context.state.run!.participants.entries.find((entry) => entry.kind === 'command');
  if (!first) fail('No command arrived from the orchestrator.', { next: 'send ReserveInventory to INVENTORY_QUEUE when a CreateOrder command arrives' });
  return first.replyTo!;
}
