import type { MistakeVariant } from '../helpers/variants.js';
import { mistakes } from '../../checks/day4/07-idempotent-consumer.js';

const PROGRAM = 'ledger.ts';

const transaction = `const applyPayment = db.transaction((payment: PaymentRequest): boolean => {
  const marked = markProcessed.run(payment.eventId, new Date().toISOString());
  if (marked.changes === 0) return false;
  openAccount.run(payment.accountId);
  debit.run(payment.amountCents, payment.accountId);
  return true;
});`;

export const variants: MistakeVariant[] = [
  {
    mistake: mistakes.dedupeOnOffset,
    description: 'records the partition and offset instead of the event id',
    program: PROGRAM,
    edits: [
      ['db.transaction((payment: PaymentRequest): boolean => {\n  const marked = markProcessed.run(payment.eventId,', 'db.transaction((payment: PaymentRequest, position: string): boolean => {\n  const marked = markProcessed.run(position,'],
      ['applied = applyPayment(payment);', 'applied = applyPayment(payment, `${partition}:${offset}`);'],
    ],
  },
  {
    mistake: mistakes.inMemorySet,
    description: 'remembers processed event ids in a Set',
    program: PROGRAM,
    edits: [
      [
        transaction,
        `const seen = new Set<string>();
const applyPayment = db.transaction((payment: PaymentRequest): boolean => {
  if (seen.has(payment.eventId)) return false;
  openAccount.run(payment.accountId);
  debit.run(payment.amountCents, payment.accountId);
  seen.add(payment.eventId);
  return true;
});`,
      ],
    ],
  },
  {
    mistake: mistakes.separateTransaction,
    description: 'commits the marker after the debit, in its own statement',
    program: PROGRAM,
    edits: [
      [
        transaction,
        `const isProcessed = db.prepare('SELECT 1 FROM processed_events WHERE event_id = ?');
const applyPayment = (payment: PaymentRequest): boolean => {
  if (isProcessed.get(payment.eventId)) return false;
  db.transaction(() => {
    openAccount.run(payment.accountId);
    debit.run(payment.amountCents, payment.accountId);
  })();
  markProcessed.run(payment.eventId, new Date().toISOString());
  return true;
};`,
      ],
    ],
  },
  {
    mistake: mistakes.noDedupe,
    description: 'debits every delivery',
    program: PROGRAM,
    edits: [['  if (marked.changes === 0) return false;\n', '']],
  },
  {
    mistake: mistakes.notRepublished,
    description: 'sends nothing for a duplicate',
    program: PROGRAM,
    edits: [["    crashPoint('after-db-commit');\n", "    crashPoint('after-db-commit');\n    if (!applied) return;\n"]],
  },
  {
    mistake: mistakes.newIdOnResend,
    description: 'gives each AccountDebited a new id',
    program: PROGRAM,
    edits: [['      `${payment.eventId}.debited`,\n', '']],
  },
];
