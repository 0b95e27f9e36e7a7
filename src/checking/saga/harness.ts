// Shared setup of the orchestrator exercises: the run's queues, the scripted participants, the
// learner's orchestrator process, and the CreateOrder commands that start sagas.
import { randomUUID } from 'node:crypto';
import { fail } from '../failure.js';
import type { LearnerProcess } from '../learner.js';
import type { CheckContext } from '../types.js';
import type { SagaScript } from './expected.js';
import { SagaParticipants } from './participants.js';
import { START_TYPE } from './protocol.js';

export const ORCHESTRATOR_PROGRAM = 'create-order-saga.ts';

export interface SagaQueues {
  start: string;
  replies: string;
  outcomes: string;
  inventory: string;
  payment: string;
  shipping: string;
}

export interface SagaRun {
  queues: SagaQueues;
  participants: SagaParticipants;
}

export function sagaQueues(context: CheckContext<any>): SagaQueues {
  return {
    start: context.name('saga.start'),
    replies: context.name('saga.replies'),
    outcomes: context.name('saga.outcomes'),
    inventory: context.name('inventory.commands'),
    payment: context.name('payment.commands'),
    shipping: context.name('shipping.commands'),
  };
}

/** Returns the orchestrator's environment; the exercise adds its own variables (RETRY_DELAY_MS, ...). */
export function orchestratorEnv(queues: SagaQueues, extra: Record<string, string> = {}): Record<string, string> {
  return {
    START_QUEUE: queues.start,
    REPLY_QUEUE: queues.replies,
    OUTCOME_QUEUE: queues.outcomes,
    INVENTORY_QUEUE: queues.inventory,
    PAYMENT_QUEUE: queues.payment,
    SHIPPING_QUEUE: queues.shipping,
    ...extra,
  };
}

/** Declares the queues the checker owns and starts the participants. The orchestrator declares its reply queue itself. */
export async function prepareSagaRun(context: CheckContext<any>): Promise<SagaRun> {
  const queues = sagaQueues(context);
  await context.rabbit.declareQueue(queues.start, { durable: true });
  context.rabbit.track('queue', queues.replies);
  const participants = await SagaParticipants.start(context.rabbit, { inventory: queues.inventory, payment: queues.payment, shipping: queues.shipping }, queues.outcomes, context.elapsed, context.trace);
  return { queues, participants };
}

/** Starts the orchestrator and waits until it consumes the start queue. */
export async function startOrchestrator(context: CheckContext<any>, run: SagaRun, name: string, env: Record<string, string>): Promise<LearnerProcess> {
  const program = context.spawn({ name, program: ORCHESTRATOR_PROGRAM, env: orchestratorEnv(run.queues, env) });
  // tsx compiles the program when it starts; 15 s covers a cold start on a busy machine.
  await program.waitForEvent((event) => event.event === 'ready', 15_000, '{"event":"ready"} after it started consuming');
  await context.rabbit.waitForConsumers(run.queues.start, 1, 5000, name);
  return program;
}

/** Publishes the CreateOrder command that starts a saga, after setting the participants' script for it. */
export async function startSaga(context: CheckContext<any>, run: SagaRun, sagaId: string, script: SagaScript = {}): Promise<void> {
  run.participants.script(sagaId, script);
  const order = { sagaId, orderId: `order-${sagaId}`, amountCents: 4200 };
  const command = { id: randomUUID(), type: START_TYPE, source: 'mq-course', time: new Date().toISOString(), subject: sagaId, data: order };
  context.trace(`sending ${START_TYPE} ${sagaId} to ${run.queues.start}`);
  await context.rabbit.sendJson(run.queues.start, command, { messageId: command.id, type: START_TYPE });
}

/** Fails the step with the first contract problem the participants found, if any. */
export function failOnContractProblem(run: SagaRun): void {
  const problem = run.participants.problems[0];
  if (problem) fail(problem.message, { mistake: 'contract', next: problem.next });
}
