import type { MistakeVariant } from '../helpers/variants.js';
import { mistakes } from '../../checks/day4/09-saga-participant.js';

export const variants: MistakeVariant[] = [
  {
    mistake: mistakes.releaseWithoutState,
    description: 'releases the units without checking the reservation is still reserved',
    program: 'inventory.ts',
    edits: [[`  // Only a live reservation is released. Released, rejected or committed: nothing to give back.\n  if (known.state !== 'reserved') return;\n`, '']],
  },
  {
    mistake: mistakes.earlyCancelIgnored,
    description: 'ignores a cancel for an order it has not seen',
    program: 'inventory.ts',
    edits: [
      [
        `  if (!known) {
    // The cancel came first: leave a marker so the late OrderCreated is rejected.
    orders.set(orderId, { state: 'cancelled' });
    return;
  }`,
        `  if (!known) return;`,
      ],
    ],
  },
  {
    mistake: mistakes.duplicateCreateAsNew,
    description: 'handles a duplicate OrderCreated as a new order',
    program: 'inventory.ts',
    edits: [
      [
        `  if (known?.reply) {
    // A duplicate: send the first reply again, unchanged, and reserve nothing more.
    publish(known.reply);
    return;
  }
`,
        '',
      ],
    ],
  },
];
