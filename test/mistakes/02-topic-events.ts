import type { MistakeVariant } from '../helpers/variants.js';
import { mistakes } from '../../checks/day4/02-topic-events.js';

const declareQueue = 'await channel.assertQueue(QUEUE, { durable: true });';

export const variants: MistakeVariant[] = [
  {
    mistake: mistakes.exclusiveQueue,
    description: 'consumes a server-named exclusive queue',
    program: 'notifier.ts',
    edits: [
      [declareQueue, "const { queue } = await channel.assertQueue('', { exclusive: true });"],
      ['await channel.bindQueue(QUEUE, EXCHANGE, pattern);', 'await channel.bindQueue(queue, EXCHANGE, pattern);'],
      ['await channel.consume(\n  QUEUE,', 'await channel.consume(\n  queue,'],
    ],
  },
  {
    mistake: mistakes.exclusiveQueue,
    description: 'declares the named queue exclusive',
    program: 'notifier.ts',
    edits: [[declareQueue, 'await channel.assertQueue(QUEUE, { durable: true, exclusive: true });']],
  },
  {
    mistake: mistakes.starVersusHash,
    description: 'binds order.<region>.* for a region',
    program: 'notifier.ts',
    edits: [['`order.${region}.#`', '`order.${region}.*`']],
  },
  {
    mistake: mistakes.starVersusHash,
    description: 'binds order.#.<event> for an event',
    program: 'notifier.ts',
    edits: [['`order.*.${event}`', '`order.#.${event}`']],
  },
  {
    mistake: mistakes.publishToQueue,
    description: 'publishes straight to the notifications queue',
    program: 'publish-event.ts',
    edits: [
      [
        "await channel.assertExchange(EXCHANGE, 'topic', { durable: true });",
        "const QUEUE = env('QUEUE', `${RUN_ID}.notifications`);\nawait channel.assertQueue(QUEUE, { durable: true });",
      ],
      ['channel.publish(EXCHANGE, routingKey, Buffer.from(JSON.stringify(event)), {', 'channel.sendToQueue(QUEUE, Buffer.from(JSON.stringify(event)), {'],
    ],
  },
  {
    mistake: mistakes.queuePerInstance,
    description: 'declares a queue per notifier instance',
    program: 'notifier.ts',
    edits: [["const QUEUE = env('QUEUE', `${RUN_ID}.notifications`);", "const QUEUE = `${env('QUEUE', `${RUN_ID}.notifications`)}.${env('NOTIFIER_NAME', `notifier-${process.pid}`)}`;"]],
  },
  {
    mistake: mistakes.inequivalentExchange,
    description: 'notifier declares the exchange as direct',
    program: 'notifier.ts',
    edits: [["await channel.assertExchange(EXCHANGE, 'topic', { durable: true });", "await channel.assertExchange(EXCHANGE, 'direct', { durable: true });"]],
  },
  {
    mistake: mistakes.inequivalentExchange,
    description: 'publish-event declares a non-durable exchange',
    program: 'publish-event.ts',
    edits: [["await channel.assertExchange(EXCHANGE, 'topic', { durable: true });", "await channel.assertExchange(EXCHANGE, 'topic', { durable: false });"]],
  },
  {
    mistake: mistakes.transientQueue,
    description: 'declares the queue without durable',
    program: 'notifier.ts',
    edits: [[declareQueue, 'await channel.assertQueue(QUEUE, { durable: false });']],
  },
];
