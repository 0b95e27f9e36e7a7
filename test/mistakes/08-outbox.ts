import type { MistakeVariant } from '../helpers/variants.js';
import { mistakes } from '../../checks/day4/08-outbox.js';

// The order service gets its own producer, as a learner who publishes from it would write.
const withProducer: Array<[string, string]> = [
  [`import { createInterface } from 'node:readline';\n`, `import { createInterface } from 'node:readline';\nimport { Kafka, Partitioners, logLevel } from 'kafkajs';\n`],
  [
    `const db = openOrdersDb(ORDERS_DB);\n`,
    `const db = openOrdersDb(ORDERS_DB);
const ORDERS_TOPIC = env('ORDERS_TOPIC', 'orders');
const kafka = new Kafka({ clientId: 'order-service', brokers: env('KAFKA_BROKERS', '127.0.0.1:9092').split(','), logLevel: logLevel.NOTHING });
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
`,
  ],
];

const sendAndMark = `  await producer.send({ topic: ORDERS_TOPIC, messages: rows.map((row) => ({ key: row.message_key, value: row.payload })) });
  crashPoint('after-publish');

  const sentAt = new Date().toISOString();
  db.transaction(() => {
    for (const row of rows) markSent.run(sentAt, row.seq);
  })();
`;

export const variants: MistakeVariant[] = [
  {
    mistake: mistakes.publishInTransaction,
    description: 'publishes to Kafka inside the order transaction',
    program: 'order-service.ts',
    edits: [
      ...withProducer,
      [
        `  try {
    placeOrder(order, event);
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;`,
        `  try {
    db.exec('BEGIN');
    insertOrder.run(order.orderId, order.customerId, order.amountCents, new Date().toISOString());
    await producer.send({ topic: ORDERS_TOPIC, messages: [{ key: order.orderId, value: JSON.stringify(event) }] });
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    if (!isDuplicateKey(error)) throw error;`,
      ],
    ],
  },
  {
    mistake: mistakes.publishAfterCommit,
    description: 'publishes straight after the commit, without an outbox row',
    program: 'order-service.ts',
    edits: [
      ...withProducer,
      [`  insertOutbox.run(event.id, order.orderId, JSON.stringify(event), now);\n`, ''],
      [
        `  crashPoint('after-commit');\n`,
        `  crashPoint('after-commit');\n  await producer.send({ topic: ORDERS_TOPIC, messages: [{ key: order.orderId, value: JSON.stringify(event) }] });\n`,
      ],
    ],
  },
  {
    mistake: mistakes.relayNewIds,
    description: 'the relay wraps each row in a new envelope',
    program: 'relay.ts',
    edits: [
      [`import { crashPoint, env, report, sleep } from '../../lib/course.js';`, `import { crashPoint, env, envelope, report, sleep } from '../../lib/course.js';`],
      [
        `messages: rows.map((row) => ({ key: row.message_key, value: row.payload }))`,
        `messages: rows.map((row) => {
      const stored = JSON.parse(row.payload);
      return { key: row.message_key, value: JSON.stringify(envelope(stored.type, 'outbox-relay', stored.subject, stored.data)) };
    })`,
      ],
    ],
  },
  {
    mistake: mistakes.markBeforeAck,
    description: 'the relay marks rows sent before Kafka acknowledged them',
    program: 'relay.ts',
    edits: [
      [
        sendAndMark,
        `  const sentAt = new Date().toISOString();
  db.transaction(() => {
    for (const row of rows) markSent.run(sentAt, row.seq);
  })();
  await producer.send({ topic: ORDERS_TOPIC, messages: rows.map((row) => ({ key: row.message_key, value: row.payload })) });
  crashPoint('after-publish');
`,
      ],
    ],
  },
];
