import type { MistakeVariant } from '../helpers/variants.js';
import { mistakes } from '../../checks/day4/11-saga-timeouts.js';

const ORCHESTRATOR = 'create-order-saga.ts';
const STORE = 'saga-store.ts';

const SQLITE_STORE = `export function openSagaStore<T extends StoredSaga>(file: string): SagaStore<T> {
  // The default rollback journal: a commit is on disk when save() returns, so a killed process
  // loses nothing it had saved.
  const db = new Database(file);
  db.exec(\`CREATE TABLE IF NOT EXISTS sagas (
    saga_id    TEXT PRIMARY KEY,
    status     TEXT NOT NULL,
    state      TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )\`);
  const upsert = db.prepare(\`INSERT INTO sagas (saga_id, status, state, updated_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (saga_id) DO UPDATE SET status = excluded.status, state = excluded.state, updated_at = excluded.updated_at\`);
  const selectUnfinished = db.prepare(\`SELECT state FROM sagas WHERE status IN ('running', 'compensating') ORDER BY updated_at\`);

  return {
    save(saga) {
      upsert.run(saga.order.sagaId, saga.status, JSON.stringify(saga), new Date().toISOString());
    },
    unfinished() {
      return (selectUnfinished.all() as Array<{ state: string }>).map((row) => JSON.parse(row.state) as T);
    },
    close() {
      db.close();
    },
  };
}
`;

const MEMORY_STORE = `export function openSagaStore<T extends StoredSaga>(_file: string): SagaStore<T> {
  const sagas = new Map<string, T>();
  return {
    save: (saga) => void sagas.set(saga.order.sagaId, structuredClone(saga)),
    unfinished: () => [...sagas.values()].filter((saga) => saga.status === 'running' || saga.status === 'compensating'),
    close: () => {},
  };
}
`;

export const variants: MistakeVariant[] = [
  {
    mistake: mistakes.volatileReplyQueue,
    description: 'declares the reply queue exclusive',
    program: ORCHESTRATOR,
    edits: [['await channel.assertQueue(REPLY_QUEUE, { durable: true });', 'await channel.assertQueue(REPLY_QUEUE, { durable: true, exclusive: true });']],
  },
  {
    mistake: mistakes.volatileReplyQueue,
    description: 'takes replies through direct reply-to',
    program: ORCHESTRATOR,
    edits: [
      ['{ replyTo: REPLY_QUEUE, correlationId: commandId }', "{ replyTo: 'amq.rabbitmq.reply-to', correlationId: commandId }"],
      [
        'await channel.consume(REPLY_QUEUE, (message) => handle<Reply>(message, (body) => onReply(body.data)));',
        "await channel.consume('amq.rabbitmq.reply-to', (message) => message && onReply((JSON.parse(message.content.toString()) as Envelope<Reply>).data), { noAck: true });",
      ],
    ],
  },
  {
    mistake: mistakes.stateInMemory,
    description: 'keeps saga state in memory only',
    program: STORE,
    edits: [
      ["import Database from 'better-sqlite3';\n", ''],
      [SQLITE_STORE, MEMORY_STORE],
    ],
  },
  {
    mistake: mistakes.timerNotCancelled,
    description: 'never cancels a step timer, and the timeout acts on whatever step is pending',
    program: ORCHESTRATOR,
    edits: [
      ['  stopTimer(pending.commandId);\n', ''],
      ['  if (!saga || saga.pending?.commandId !== commandId) return;', '  if (!saga?.pending) return;'],
    ],
  },
  {
    mistake: mistakes.timeoutAsNeverHappened,
    description: 'treats a timed-out step as never run',
    program: ORCHESTRATOR,
    edits: [['  startCompensation(saga, { timedOut: true });', '  startCompensation(saga, { timedOut: false });']],
  },
  {
    mistake: mistakes.newCommandIdOnResend,
    description: 'resends a timed-out command with a new commandId',
    program: ORCHESTRATOR,
    edits: [
      [
        "  if (saga.status === 'compensating' || STEPS[saga.step].retriable) return send(saga, command.type, command.queue, command.commandId);",
        "  if (saga.status === 'compensating' || STEPS[saga.step].retriable) return send(saga, command.type, command.queue);",
      ],
    ],
  },
  {
    mistake: mistakes.timeoutTooEarly,
    description: 'times out after half of STEP_TIMEOUT_MS',
    program: ORCHESTRATOR,
    edits: [['setTimeout(() => onTimeout(sagaId, commandId), STEP_TIMEOUT_MS)', 'setTimeout(() => onTimeout(sagaId, commandId), STEP_TIMEOUT_MS / 2)']],
  },
  {
    mistake: mistakes.lateReplyAccepted,
    description: 'acts on any reply of a known saga',
    program: ORCHESTRATOR,
    edits: [
      ['  if (!saga || !pending || pending.commandId !== reply.commandId) {', '  if (!saga) {'],
      ['  stopTimer(pending.commandId);', '  if (pending) stopTimer(pending.commandId);'],
      ["  report('reply-received', { sagaId: reply.sagaId, type: pending.type, ok: reply.ok });", "  report('reply-received', { sagaId: reply.sagaId, type: pending?.type, ok: reply.ok });"],
      ['    if (!reply.ok) return retryLater(saga, pending);', '    if (!reply.ok) return retryLater(saga, pending!);'],
      ['  if (STEPS[saga.step].retriable) return retryLater(saga, pending);', '  if (STEPS[saga.step].retriable) return retryLater(saga, pending!);'],
    ],
  },
  {
    mistake: mistakes.duplicateReplyAdvances,
    description: 'matches replies by saga, not by commandId',
    program: ORCHESTRATOR,
    edits: [['  if (!saga || !pending || pending.commandId !== reply.commandId) {', '  if (!saga || !pending) {']],
  },
  {
    mistake: mistakes.repeatsCompletedSteps,
    description: 'restarts resumed sagas from the first step',
    program: ORCHESTRATOR,
    edits: [['  if (saga.pending) startTimer(saga.order.sagaId, saga.pending.commandId);', '  saga.step = 0;\n  sendStep(saga);']],
  },
];
