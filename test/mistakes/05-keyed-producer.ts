import type { MistakeVariant } from '../helpers/variants.js';
import { mistakes } from '../../checks/day4/05-keyed-producer.js';

const program = 'order-producer.ts';

export const variants: MistakeVariant[] = [
  {
    mistake: mistakes.noKey,
    description: 'produces without a key',
    program,
    edits: [['batch.push({ key: order.orderId, value: JSON.stringify(event) });', 'batch.push({ value: JSON.stringify(event) });']],
  },
  {
    mistake: mistakes.legacyPartitioner,
    description: 'uses the legacy partitioner',
    program,
    edits: [['Partitioners.DefaultPartitioner', 'Partitioners.LegacyPartitioner']],
  },
  {
    mistake: mistakes.keyEncoding,
    description: 'encodes the key as JSON',
    program,
    edits: [['key: order.orderId,', 'key: JSON.stringify(order.orderId),']],
  },
  {
    mistake: mistakes.unawaitedSends,
    description: 'exits before its sends finish',
    program,
    edits: [
      ['  await producer.send({ topic: ORDERS_TOPIC, messages: batch });', '  void producer.send({ topic: ORDERS_TOPIC, messages: batch });'],
      ['await producer.disconnect();\nreport(\'done\', { sent });', "report('done', { sent });\nprocess.exit(0);"],
    ],
  },
];
