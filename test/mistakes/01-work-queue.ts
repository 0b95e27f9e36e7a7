import type { MistakeVariant } from '../helpers/variants.js';
import { mistakes } from '../../checks/day4/01-work-queue.js';

const ack = `    channel.ack(message);
    report('done', { id: task.id });`;

export const variants: MistakeVariant[] = [
  {
    mistake: mistakes.noAck,
    description: 'consumes with noAck: true',
    program: 'worker.ts',
    edits: [
      ['{ noAck: false }', '{ noAck: true }'],
      [ack, `    report('done', { id: task.id });`],
    ],
  },
  {
    mistake: mistakes.ackBeforeWork,
    description: 'acks as soon as the task arrives',
    program: 'worker.ts',
    edits: [
      [`    report('received', { id: task.id, redelivered });`, `    report('received', { id: task.id, redelivered });\n    channel.ack(message);`],
      [ack, `    report('done', { id: task.id });`],
      [`      channel.nack(message, false, true);\n`, ''],
    ],
  },
  {
    mistake: mistakes.ackInFinally,
    description: 'acks in a finally block, also when the work throws',
    program: 'worker.ts',
    edits: [
      [
        `    try {
      await work(task, redelivered);
    } catch (error) {
      // Not done: give it back to the queue, so this or another worker tries again.
      report('failed', { id: task.id, error: (error as Error).message });
      channel.nack(message, false, true);
      return;
    }
`,
        `    try {
      await work(task, redelivered);
    } catch (error) {
      report('failed', { id: task.id, error: (error as Error).message });
      return;
    } finally {
      channel.ack(message);
    }
`,
      ],
      [ack, `    report('done', { id: task.id });`],
    ],
  },
  {
    mistake: mistakes.noPrefetch,
    description: 'never sets a prefetch limit',
    program: 'worker.ts',
    edits: [['await channel.prefetch(PREFETCH);\n', '']],
  },
  {
    mistake: mistakes.misspelledOption,
    description: 'passes prefetch as a consume option',
    program: 'worker.ts',
    edits: [
      ['await channel.prefetch(PREFETCH);\n', ''],
      ['{ noAck: false }', '{ noAck: false, prefetch: PREFETCH } as never'],
    ],
  },
  {
    mistake: mistakes.doubleAck,
    description: 'acks each task twice',
    program: 'worker.ts',
    edits: [[ack, `    channel.ack(message);\n${ack}`]],
  },
  {
    mistake: mistakes.doubleAck,
    description: 'acks on a channel other than the one that delivered',
    program: 'worker.ts',
    edits: [
      ['const channel = await connection.createChannel();\n', 'const channel = await connection.createChannel();\nconst otherChannel = await connection.createChannel();\n'],
      [ack, `    otherChannel.ack(message);\n    report('done', { id: task.id });`],
    ],
  },
];
