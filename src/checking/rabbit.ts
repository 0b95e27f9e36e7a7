import { connectRabbit, managementRequest, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Options } from '../clients/rabbitmq.js';
import { Arrivals } from './arrivals.js';
import { fail } from './failure.js';

/** A message the checker consumed, with its arrival time (milliseconds since the run started). */
export interface ReceivedMessage {
  at: number;
  body: unknown;
  raw: string;
  routingKey: string;
  exchange: string;
  redelivered: boolean;
  properties: ConsumeMessage['properties'];
}

/** One consumer, as the management API reports it. */
export interface ConsumerInfo {
  ackRequired: boolean;
  prefetchCount: number;
  consumerTag: string;
}

/** A queue's declared properties, from the management API. */
export interface QueueDetails {
  name: string;
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  arguments: Record<string, unknown>;
}

/** One binding of a queue to an exchange, from the management API. */
export interface BindingInfo {
  queue: string;
  routingKey: string;
}

/** Messages arriving on one queue, consumed and acknowledged by the checker. */
export class Collector extends Arrivals<ReceivedMessage> {
  constructor(readonly queue: string) {
    super();
  }

  get messages(): ReceivedMessage[] {
    return this.items;
  }
}

/**
 * The checker's RabbitMQ side of one run. It declares what the exercise needs, publishes with
 * confirms and consumes what the learner produced. At teardown it deletes every queue and exchange
 * it declared, and every other one named with the run id that the management API lists.
 */
export class RabbitTools {
  private connection?: ChannelModel;
  private channel?: ConfirmChannel;
  private readonly queues = new Set<string>();
  private readonly exchanges = new Set<string>();
  private managementWorks?: boolean;
  private opening?: Promise<ConfirmChannel>;
  /** Set when teardown begins: from then on only teardown itself uses the connection. */
  private closing = false;
  /** Set at the end of teardown; the connection is closed and stays closed. */
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly managementUrl: string,
    private readonly runId: string,
    private readonly clock: () => number,
  ) {}

  private async open(forTeardown = false): Promise<ConfirmChannel> {
    // A step abandoned by Ctrl-C may still be running. Once teardown has begun it declares
    // nothing more, because a queue declared now would outlive the run.
    if (this.closing && !forTeardown) throw new Error(`run ${this.runId} is over: its RabbitMQ connection is closing`);
    if (this.closed) throw new Error(`run ${this.runId} is over: its RabbitMQ connection is closed`);
    if (this.channel) return this.channel;
    // One connection attempt at a time, so teardown can wait for it and close what it opened.
    this.opening ??= this.connect().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async connect(): Promise<ConfirmChannel> {
    if (!this.connection) {
      const connection = await connectRabbit(this.url, 5000, `mq-course checker ${this.runId}`);
      if (this.closed) {
        // Teardown ran while this was connecting (Ctrl-C mid-step): an open socket would keep the CLI alive.
        await connection.close().catch(() => {});
        throw new Error(`run ${this.runId} is over: its RabbitMQ connection is closed`);
      }
      this.connection = connection;
    }
    const channel = await this.connection.createConfirmChannel();
    channel.on('error', () => {});
    channel.on('close', () => (this.channel = undefined));
    this.channel = channel;
    return channel;
  }

  /** Runs `action` on a throwaway channel, because a failed passive declare closes the channel it ran on. */
  private async withScratchChannel<T>(action: (channel: Channel) => Promise<T>, forTeardown = false): Promise<T> {
    await this.open(forTeardown);
    const channel = await this.connection!.createChannel();
    channel.on('error', () => {});
    try {
      return await action(channel);
    } finally {
      await channel.close().catch(() => {});
    }
  }

  async declareQueue(name: string, options: Options.AssertQueue = { durable: true }): Promise<void> {
    this.queues.add(name);
    await (await this.open()).assertQueue(name, options);
  }

  async declareExchange(name: string, type: string, options: Options.AssertExchange = { durable: true }): Promise<void> {
    this.exchanges.add(name);
    await (await this.open()).assertExchange(name, type, options);
  }

  async bind(queue: string, exchange: string, pattern: string): Promise<void> {
    await (await this.open()).bindQueue(queue, exchange, pattern);
  }

  /** Remembers a name the learner's program declares, so teardown deletes it even without the management API. */
  track(kind: 'queue' | 'exchange', name: string): void {
    (kind === 'queue' ? this.queues : this.exchanges).add(name);
  }

  /** Publishes JSON to a queue (through the default exchange) and waits for the broker's confirm. */
  async sendJson(queue: string, body: unknown, options: Options.Publish = {}): Promise<void> {
    await this.publishJson('', queue, body, options);
  }

  async publishJson(exchange: string, routingKey: string, body: unknown, options: Options.Publish = {}): Promise<void> {
    const channel = await this.open();
    await new Promise<void>((resolve, reject) => {
      channel.publish(exchange, routingKey, Buffer.from(JSON.stringify(body)), { persistent: true, contentType: 'application/json', ...options }, (error) =>
        error ? reject(new Error(`the broker did not confirm a publish to ${exchange || '(default exchange)'} / ${routingKey}`)) : resolve(),
      );
    });
  }

  /** Starts consuming a queue into a Collector; the checker acks each message as it arrives. */
  async collect(queue: string): Promise<Collector> {
    const channel = await this.open();
    const collector = new Collector(queue);
    await channel.consume(queue, (message) => {
      if (!message) return;
      const raw = message.content.toString('utf8');
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // Kept as text; the step that reads it reports the bad JSON.
      }
      collector.add({ at: this.clock(), body, raw, routingKey: message.fields.routingKey, exchange: message.fields.exchange, redelivered: message.fields.redelivered, properties: message.properties });
      channel.ack(message);
    });
    return collector;
  }

  /** Returns the queue's ready-message and consumer counts, or undefined when it does not exist. */
  async inspectQueue(queue: string): Promise<{ messageCount: number; consumerCount: number } | undefined> {
    try {
      return await this.withScratchChannel((channel) => channel.checkQueue(queue));
    } catch {
      return undefined;
    }
  }

  /** Polls until `count` consumers are registered on `queue`; a consumer registers when the learner's program is ready. */
  async waitForConsumers(queue: string, count: number, timeoutMs: number, who: string): Promise<void> {
    const start = Date.now();
    let last: { consumerCount: number } | undefined;
    while (Date.now() - start < timeoutMs) {
      last = await this.inspectQueue(queue);
      if (last && last.consumerCount >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!last) fail(`${who}: the queue "${queue}" was never declared within ${(timeoutMs / 1000).toFixed(0)} s.`, { next: `declare it with channel.assertQueue(process.env.TASK_QUEUE, { durable: true }) before consuming` });
    fail(`${who}: expected ${count} consumer(s) on "${queue}" within ${(timeoutMs / 1000).toFixed(0)} s, found ${last.consumerCount}.`, {
      next: 'call channel.consume(queue, handler) after declaring the queue, and keep the process running',
    });
  }

  /** Whether the management API responds. Checks that need it report its absence in their message. */
  async hasManagement(): Promise<boolean> {
    if (this.managementWorks === undefined) {
      this.managementWorks = await managementRequest(this.managementUrl, 'GET', '/api/overview', 3000).then(
        () => true,
        () => false,
      );
    }
    return this.managementWorks;
  }

  /** Lists the consumers of a queue as the management API reports them; undefined without the API. */
  async consumers(queue: string): Promise<ConsumerInfo[] | undefined> {
    if (!(await this.hasManagement())) return undefined;
    const list = (await managementRequest(this.managementUrl, 'GET', '/api/consumers/%2F')) as Array<{
      queue: { name: string };
      ack_required: boolean;
      prefetch_count: number;
      consumer_tag: string;
    }>;
    return list.filter((entry) => entry.queue.name === queue).map((entry) => ({ ackRequired: entry.ack_required, prefetchCount: entry.prefetch_count, consumerTag: entry.consumer_tag }));
  }

  /** Deletes every queue and exchange of the run, then closes the connection. Every step catches its own errors, so teardown never throws. */
  async teardown(): Promise<void> {
    this.closing = true;
    for (const action of this.teardownActions.splice(0).reverse()) await action().catch(() => {});
    if (await this.hasManagement().catch(() => false)) {
      for (const kind of ['queues', 'exchanges'] as const) {
        const list = (await managementRequest(this.managementUrl, 'GET', `/api/${kind}/%2F?columns=name`).catch(() => [])) as Array<{ name: string }>;
        for (const { name } of list) if (name.startsWith(this.runId)) (kind === 'queues' ? this.queues : this.exchanges).add(name);
      }
    }
    if (this.queues.size || this.exchanges.size) {
      await this.withScratchChannel(async (channel) => {
        for (const queue of this.queues) await channel.deleteQueue(queue).catch(() => {});
        for (const exchange of this.exchanges) await channel.deleteExchange(exchange).catch(() => {});
      }, true).catch(() => {});
    }
    await this.opening?.catch(() => {});
    this.closed = true;
    await this.connection?.close().catch(() => {});
    this.connection = undefined;
    this.channel = undefined;
  }

  /** Returns the server version from the AMQP handshake, e.g. "3.10.8", for messages where 3.x and 4.x differ. */
  async serverVersion(): Promise<string> {
    await this.open();
    return String(this.connection!.connection.serverProperties.version ?? 'unknown');
  }

  /**
   * Reads a queue's arguments and the definition of the policy that applies to it from the
   * management API. Returns undefined without the API or when the queue does not exist.
   */
  async queueInfo(queue: string): Promise<QueueInfo | undefined> {
    if (!(await this.hasManagement())) return undefined;
    const entry = (await managementRequest(this.managementUrl, 'GET', `/api/queues/%2F/${encodeURIComponent(queue)}`).catch(() => undefined)) as
      | { arguments?: Record<string, unknown>; effective_policy_definition?: Record<string, unknown> | unknown[] }
      | undefined;
    if (!entry) return undefined;
    // The API shows an empty policy definition as [] rather than {}.
    const policy = entry.effective_policy_definition;
    return { arguments: entry.arguments ?? {}, policy: policy && !Array.isArray(policy) ? policy : {} };
  }

  /** Reads an exchange's type and its bindings from the management API; undefined without the API or the exchange. */
  async exchangeInfo(exchange: string): Promise<ExchangeInfo | undefined> {
    if (!(await this.hasManagement())) return undefined;
    const name = encodeURIComponent(exchange);
    const entry = (await managementRequest(this.managementUrl, 'GET', `/api/exchanges/%2F/${name}`).catch(() => undefined)) as { type: string } | undefined;
    if (!entry) return undefined;
    const bindings = (await managementRequest(this.managementUrl, 'GET', `/api/exchanges/%2F/${name}/bindings/source`)) as Array<{
      destination: string;
      destination_type: 'queue' | 'exchange';
      routing_key: string;
    }>;
    return {
      type: entry.type,
      bindings: bindings.map((binding) => ({ destination: binding.destination, destinationType: binding.destination_type, routingKey: binding.routing_key })),
    };
  }

  /**
   * Opens another confirm channel on the run's connection, for a tool with consumers and
   * publishes of its own (the saga participants), so a channel error there leaves the other
   * channels alone. Teardown closes it with the connection.
   */
  async openChannel(): Promise<ConfirmChannel> {
    await this.open();
    const channel = await this.connection!.createConfirmChannel();
    channel.on('error', () => {});
    return channel;
  }

  private readonly teardownActions: Array<() => Promise<void>> = [];

  /** Registers an action that teardown runs before deleting the run's objects (last registered, first run). */
  onTeardown(action: () => Promise<void>): void {
    this.teardownActions.push(action);
  }

  /** Returns a queue's declared properties from the management API, or undefined without the API or the queue. */
  async queueDetails(queue: string): Promise<QueueDetails | undefined> {
    if (!(await this.hasManagement())) return undefined;
    const details = (await managementRequest(this.managementUrl, 'GET', `/api/queues/%2F/${encodeURIComponent(queue)}`).catch(() => undefined)) as
      | { durable: boolean; exclusive: boolean; auto_delete: boolean; arguments?: Record<string, unknown> }
      | undefined;
    if (!details) return undefined;
    return { name: queue, durable: details.durable, exclusive: details.exclusive, autoDelete: details.auto_delete, arguments: details.arguments ?? {} };
  }

  /**
   * Lists the queue bindings whose source is `exchange`, or returns undefined without the management API.
   * Unlike the API's statistics, bindings are listed as soon as they exist.
   */
  async bindingsOf(exchange: string): Promise<BindingInfo[] | undefined> {
    if (!(await this.hasManagement())) return undefined;
    const list = (await managementRequest(this.managementUrl, 'GET', `/api/exchanges/%2F/${encodeURIComponent(exchange)}/bindings/source`).catch(() => undefined)) as
      | Array<{ destination: string; destination_type: string; routing_key: string }>
      | undefined;
    return list?.filter((entry) => entry.destination_type === 'queue').map((entry) => ({ queue: entry.destination, routingKey: entry.routing_key }));
  }

  /** Lists the names of the queues that start with `prefix`, or returns undefined without the management API. */
  async queueNames(prefix: string): Promise<string[] | undefined> {
    if (!(await this.hasManagement())) return undefined;
    const list = (await managementRequest(this.managementUrl, 'GET', '/api/queues/%2F?columns=name').catch(() => undefined)) as Array<{ name: string }> | undefined;
    return list?.map((entry) => entry.name).filter((name) => name.startsWith(prefix));
  }
}

/** A queue's configuration as the management API shows it. */
export interface QueueInfo {
  arguments: Record<string, unknown>;
  /** The applying policy's definition, e.g. { "dead-letter-exchange": "" }; {} without a policy. */
  policy: Record<string, unknown>;
}

export interface ExchangeInfo {
  type: string;
  bindings: Array<{ destination: string; destinationType: 'queue' | 'exchange'; routingKey: string }>;
}
