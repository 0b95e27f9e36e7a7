// Reads the retry topology a processor declared, and works out where RabbitMQ sends a message
// that a queue dead-letters, so a diagnosis can name the setting that lost a job.
import type { RabbitTools } from '../../src/checking/rabbit.js';

/** A queue's dead-letter and TTL settings; a queue argument wins over a policy, as in RabbitMQ. */
export interface DeadLetterSettings {
  exchange?: string;
  routingKey?: string;
  ttlMs?: number;
}

/** The destination of a dead-lettered message. `queues` is empty when no binding matches its routing key. */
export type DeadLetterRoute =
  | { kind: 'discarded' }
  | { kind: 'missing-exchange'; exchange: string }
  | { kind: 'unknown'; exchange: string; exchangeType: string }
  | { kind: 'queues'; exchange: string; routingKey: string; queues: string[] };

/** Reads a queue's settings from the management API; undefined without the API or the queue. */
export async function deadLetterSettings(rabbit: RabbitTools, queue: string): Promise<DeadLetterSettings | undefined> {
  const info = await rabbit.queueInfo(queue);
  if (!info) return undefined;
  const pick = (argument: string, policyKey: string) => info.arguments[argument] ?? info.policy[policyKey];
  const exchange = pick('x-dead-letter-exchange', 'dead-letter-exchange');
  const routingKey = pick('x-dead-letter-routing-key', 'dead-letter-routing-key');
  const ttl = pick('x-message-ttl', 'message-ttl');
  return {
    exchange: typeof exchange === 'string' ? exchange : undefined,
    routingKey: typeof routingKey === 'string' ? routingKey : undefined,
    ttlMs: typeof ttl === 'number' ? ttl : undefined,
  };
}

/**
 * Works out where `queue` dead-letters a message that sits in it with routing key `currentKey`.
 * Without x-dead-letter-routing-key RabbitMQ keeps the message's current routing key, which is the
 * dead-letter routing key of the queue it last died in, if that queue set one.
 */
export async function deadLetterRoute(rabbit: RabbitTools, settings: DeadLetterSettings, currentKey: string): Promise<DeadLetterRoute> {
  if (settings.exchange === undefined) return { kind: 'discarded' };
  const exchange = settings.exchange;
  const routingKey = settings.routingKey ?? currentKey;

  // The default exchange routes to the queue named by the routing key, if it exists.
  if (exchange === '' || exchange === 'amq.default') {
    const exists = (await rabbit.inspectQueue(routingKey)) !== undefined;
    return { kind: 'queues', exchange: '', routingKey, queues: exists ? [routingKey] : [] };
  }

  const info = await rabbit.exchangeInfo(exchange);
  if (!info) return { kind: 'missing-exchange', exchange };
  const matches = (bindingKey: string): boolean | undefined => {
    if (info.type === 'fanout') return true;
    if (info.type === 'direct') return bindingKey === routingKey;
    if (info.type === 'topic') return topicMatches(bindingKey, routingKey);
    return undefined;
  };
  if (info.bindings.some((binding) => matches(binding.routingKey) === undefined)) return { kind: 'unknown', exchange, exchangeType: info.type };
  // Exchange-to-exchange bindings are left out: this exercise's topology has none.
  const queues = info.bindings.filter((binding) => binding.destinationType === 'queue' && matches(binding.routingKey)).map((binding) => binding.destination);
  return { kind: 'queues', exchange, routingKey, queues: [...new Set(queues)] };
}

/** Checks whether a topic binding key matches a routing key: `*` is one word, `#` is zero or more words. */
export function topicMatches(bindingKey: string, routingKey: string): boolean {
  const match = (pattern: string[], words: string[]): boolean => {
    if (pattern.length === 0) return words.length === 0;
    const [head, ...rest] = pattern;
    if (head === '#') return words.some((_, index) => match(rest, words.slice(index))) || match(rest, []);
    if (words.length === 0) return false;
    return (head === '*' || head === words[0]) && match(rest, words.slice(1));
  };
  return match(bindingKey.split('.'), routingKey === '' ? [] : routingKey.split('.'));
}

/** Describes a route in one phrase, e.g. `the default exchange with routing key "x" (reaches: x)`. */
export function describeRoute(route: DeadLetterRoute): string {
  switch (route.kind) {
    case 'discarded':
      return 'nowhere: the queue has no x-dead-letter-exchange, so RabbitMQ discards the message';
    case 'missing-exchange':
      return `the exchange "${route.exchange}", which does not exist, so RabbitMQ drops the message`;
    case 'unknown':
      return `the ${route.exchangeType} exchange "${route.exchange}"`;
    case 'queues': {
      const exchange = route.exchange === '' ? 'the default exchange' : `the exchange "${route.exchange}"`;
      const reaches = route.queues.length ? `reaches: ${route.queues.join(', ')}` : 'reaches no queue, so RabbitMQ drops the message';
      return `${exchange} with routing key "${route.routingKey}" (${reaches})`;
    }
  }
}
