import type { MistakeVariant } from '../helpers/variants.js';
import { mistakes } from '../../checks/day4/10-saga-orchestrator.js';

const PROGRAM = 'create-order-saga.ts';
const undoList = `  saga.toUndo = completed.filter((index) => STEPS[index].compensation).reverse();`;

export const variants: MistakeVariant[] = [
  {
    mistake: mistakes.forwardOrder,
    description: 'undoes the completed steps oldest first',
    program: PROGRAM,
    edits: [[undoList, `  saga.toUndo = completed.filter((index) => STEPS[index].compensation);`]],
  },
  {
    mistake: mistakes.compensatesUnfinished,
    description: 'undoes the failed step as well',
    program: PROGRAM,
    edits: [['const completed = STEPS.slice(0, saga.step).map((_, index) => index);', 'const completed = STEPS.slice(0, saga.step + 1).map((_, index) => index);']],
  },
  {
    mistake: mistakes.compensatesUnfinished,
    description: 'undoes every step, also those that never ran',
    program: PROGRAM,
    edits: [['const completed = STEPS.slice(0, saga.step).map((_, index) => index);', 'const completed = STEPS.map((_, index) => index);']],
  },
  {
    mistake: mistakes.compensatesAfterPivot,
    description: 'compensates when a step after the pivot fails',
    program: PROGRAM,
    edits: [['  if (STEPS[saga.step].retriable) return retryLater(saga, pending);\n', '']],
  },
  {
    mistake: mistakes.sharedState,
    description: 'keeps the saga in one global variable',
    program: PROGRAM,
    edits: [
      ['const sagas = new Map<string, Saga>();', 'let current: Saga | undefined;'],
      ['  if (sagas.has(order.sagaId)) {', '  if (current?.order.sagaId === order.sagaId) {'],
      ['  sagas.set(order.sagaId, saga);', '  current = saga;'],
      ['  const saga = sagas.get(reply.sagaId);', '  const saga = current;'],
    ],
  },
  {
    mistake: mistakes.givesUpOnCompensation,
    description: 'moves on when a compensation fails',
    program: PROGRAM,
    edits: [['    if (!reply.ok) return retryLater(saga, pending);\n', '']],
  },
  {
    mistake: mistakes.retriableNotRetried,
    description: 'gives up on a failed retriable step without compensating',
    program: PROGRAM,
    edits: [['  if (STEPS[saga.step].retriable) return retryLater(saga, pending);', '  if (STEPS[saga.step].retriable) return finish(saga, \'rejected\');']],
  },
  {
    mistake: mistakes.missingCompensation,
    description: 'rejects without compensating',
    program: PROGRAM,
    edits: [[undoList, `  saga.toUndo = [];`]],
  },
  {
    mistake: mistakes.volatileReplyQueue,
    description: 'declares the reply queue exclusive',
    program: PROGRAM,
    edits: [['await channel.assertQueue(REPLY_QUEUE, { durable: true });', 'await channel.assertQueue(REPLY_QUEUE, { durable: true, exclusive: true });']],
  },
];
