import type { MistakeVariant } from '../helpers/variants.js';
import { mistakes } from '../../checks/day4/04-retry-dlx.js';

const rejectForRetry = '        channel.reject(message, false);\n';

const attemptFromXDeath = `function attemptOf(message: ConsumeMessage): number {
  const deaths = (message.properties.headers?.['x-death'] ?? []) as Death[];
  const rejected = deaths.find((death) => death.queue === WORK_QUEUE && death.reason === 'rejected');
  return Number(rejected?.count ?? 0) + 1;
}`;

export const variants: MistakeVariant[] = [
  {
    mistake: mistakes.requeue,
    description: 'nacks a failed job with requeue true',
    program: 'processor.ts',
    edits: [[rejectForRetry, '        channel.nack(message, false, true);\n']],
  },
  {
    mistake: mistakes.attemptsInMemory,
    description: 'counts attempts in a Map of the process',
    program: 'processor.ts',
    edits: [
      [
        attemptFromXDeath,
        `const attemptsSoFar = new Map<string, number>();

function attemptOf(message: ConsumeMessage): number {
  const id = String(message.properties.messageId);
  const attempt = (attemptsSoFar.get(id) ?? 0) + 1;
  attemptsSoFar.set(id, attempt);
  return attempt;
}`,
      ],
    ],
  },
  {
    mistake: mistakes.deadLetterCycle,
    description: 'retry queue without a dead-letter routing key (expiry-only cycle)',
    program: 'processor.ts',
    edits: [[`'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': WORK_QUEUE }`, `'x-dead-letter-exchange': '' }`]],
  },
  {
    mistake: mistakes.wrongAttemptCount,
    description: 'adds up the counts of every x-death entry',
    program: 'processor.ts',
    edits: [
      [
        attemptFromXDeath,
        `function attemptOf(message: ConsumeMessage): number {
  const deaths = (message.properties.headers?.['x-death'] ?? []) as Death[];
  return deaths.reduce((sum, death) => sum + Number(death.count ?? 0), 0) + 1;
}`,
      ],
    ],
  },
  {
    mistake: mistakes.failedJobAcked,
    description: 'acks a failed attempt instead of rejecting it',
    program: 'processor.ts',
    edits: [[rejectForRetry, '        channel.ack(message);\n']],
  },
  {
    mistake: mistakes.notParked,
    description: 'rejects the last attempt too, never parks',
    program: 'processor.ts',
    edits: [['      if (attempt >= MAX_ATTEMPTS) {', '      if (attempt >= MAX_ATTEMPTS * 100) {']],
  },
];
