import type { MistakeVariant } from '../helpers/variants.js';
import { mistakes } from '../../checks/day4/03-reliable-publish.js';

const publishCall = `        writable = channel.publish(EXCHANGE, ROUTING_KEY, body, options, (error) => {
          if (error) report('not-confirmed', { id: event.id, error: error.message });
          else if (!returned.has(event.id)) confirmed.add(event.id);
          settle();
        });`;
const publishOptions = "const options = { persistent: true, mandatory: true, messageId: event.id, contentType: 'application/json' };";

export const variants: MistakeVariant[] = [
  {
    mistake: mistakes.exitBeforeConfirms,
    description: 'gives the confirms 300 ms instead of waiting for them',
    program: 'publish-batch.ts',
    edits: [['await Promise.race([Promise.all(settled), closed]);', 'await sleep(300); // time enough for the confirms']],
  },
  {
    mistake: mistakes.publishBooleanAsConfirm,
    description: "counts publish()'s true as a confirm",
    program: 'publish-batch.ts',
    edits: [
      ['await connection.createConfirmChannel();', 'await connection.createChannel();'],
      [publishCall, `        writable = channel.publish(EXCHANGE, ROUTING_KEY, body, options);\n        if (writable) confirmed.add(event.id);\n        settle();`],
    ],
  },
  {
    mistake: mistakes.ignoredNack,
    description: 'treats a nack like an ack',
    program: 'publish-batch.ts',
    edits: [[publishCall, `        writable = channel.publish(EXCHANGE, ROUTING_KEY, body, options, () => {\n          if (!returned.has(event.id)) confirmed.add(event.id);\n          settle();\n        });`]],
  },
  {
    mistake: mistakes.ignoredReturn,
    description: 'ignores returned messages',
    program: 'publish-batch.ts',
    edits: [['else if (!returned.has(event.id)) confirmed.add(event.id);', 'else confirmed.add(event.id);']],
  },
  {
    mistake: mistakes.ignoredReturn,
    description: 'publishes without mandatory',
    program: 'publish-batch.ts',
    edits: [[publishOptions, publishOptions.replace('mandatory: true, ', '')]],
  },
  {
    mistake: mistakes.transientMessage,
    description: 'publishes transient messages',
    program: 'publish-batch.ts',
    edits: [[publishOptions, publishOptions.replace('persistent: true, ', '')]],
  },
  {
    mistake: mistakes.newIdOnRetry,
    description: 'gives a retried event a new id',
    program: 'publish-batch.ts',
    edits: [
      ["import { once } from 'node:events';", "import { randomUUID } from 'node:crypto';\nimport { once } from 'node:events';"],
      [
        `      const body = Buffer.from(JSON.stringify(event));\n      ${publishOptions}`,
        `      const sent = attempts.get(event.id)! > 1 ? { ...event, id: randomUUID() } : event;\n      const body = Buffer.from(JSON.stringify(sent));\n      ${publishOptions.replace('messageId: event.id', 'messageId: sent.id')}`,
      ],
    ],
  },
  {
    mistake: mistakes.noRetry,
    description: 'gives up on the first nack',
    program: 'publish-batch.ts',
    edits: [
      ['pending = unconfirmed.filter((event) => attempts.get(event.id)! < MAX_ATTEMPTS);', 'pending = [];'],
      ['failed.push(...unconfirmed.filter((event) => attempts.get(event.id)! >= MAX_ATTEMPTS).map((event) => event.id));', 'failed.push(...unconfirmed.map((event) => event.id));'],
    ],
  },
];
