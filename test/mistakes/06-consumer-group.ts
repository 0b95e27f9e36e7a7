import type { MistakeVariant } from '../helpers/variants.js';
import { mistakes } from '../../checks/day4/06-consumer-group.js';

const PROGRAM = 'order-projector.ts';

const sigtermHandler = `// disconnect() leaves the group at once, so the others take over this instance's partitions
// without waiting for the session timeout. Registered before joining: a SIGTERM that arrives
// earlier would otherwise end the process without leaving.
process.once('SIGTERM', async () => {
  report('stopping', { instance: INSTANCE });
  await consumer.disconnect().catch(() => {});
  await producer.disconnect().catch(() => {});
  process.exit(0);
});
`;

export const variants: MistakeVariant[] = [
  {
    mistake: mistakes.notAwaited,
    description: 'does not await the work in eachMessage',
    program: PROGRAM,
    edits: [['    await project(partition, message);', '    project(partition, message);']],
  },
  {
    mistake: mistakes.notAwaited,
    description: 'starts the work without awaiting it, errors caught',
    program: PROGRAM,
    edits: [['    await project(partition, message);', '    project(partition, message).catch(() => {});']],
  },
  {
    mistake: mistakes.groupIdPerStart,
    description: 'adds the start time to the group id',
    program: PROGRAM,
    edits: [['kafka.consumer({ groupId: GROUP_ID,', 'kafka.consumer({ groupId: `${GROUP_ID}-${Date.now()}`,']],
  },
  {
    mistake: mistakes.noFromBeginning,
    description: 'subscribes without fromBeginning',
    program: PROGRAM,
    edits: [['{ topic: INPUT_TOPIC, fromBeginning: true }', '{ topic: INPUT_TOPIC }']],
  },
  {
    mistake: mistakes.noSigtermHandler,
    description: 'has no SIGTERM handler',
    program: PROGRAM,
    edits: [[sigtermHandler, '']],
  },
  {
    mistake: mistakes.noSigtermHandler,
    description: 'exits on SIGTERM without disconnecting',
    program: PROGRAM,
    edits: [[sigtermHandler, `process.once('SIGTERM', () => process.exit(0));\n`]],
  },
  {
    mistake: mistakes.errorsSwallowed,
    description: 'catches the work error and carries on',
    program: PROGRAM,
    edits: [['    throw error;\n', '    return;\n']],
  },
];
