import net from 'node:net';
import { FRAME_BODY, FRAME_HEADER, FRAME_METHOD, FrameReader, Methods, readConfirm, readContentHeader, readMethod, readPublish, readReply, type Frame } from './amqp-frames.js';

/** One basic.publish the client sent, and the broker's confirm as far as the client received it. */
export interface PublishRecord {
  /** Milliseconds on the check run's clock. */
  at: number;
  channel: number;
  exchange: string;
  routingKey: string;
  mandatory: boolean;
  /** Set when the channel is in confirm mode: the broker's ack or nack names this tag. */
  deliveryTag?: number;
  messageId?: string;
  deliveryMode?: number;
  /** The broker's confirm, set when the proxy passed it on to the client. */
  outcome?: 'ack' | 'nack';
}

/** Fault settings for the connections the proxy relays. */
export interface ProxyBehaviour {
  /**
   * Holds broker-to-client frames back by this many milliseconds while the client has publishes
   * without a confirm, so a program that does not wait for its confirms exits before they arrive.
   * Frames keep their order, and the AMQP handshake is never delayed.
   */
  confirmDelayMs?: number;
  /**
   * After the client's Nth complete publish on a connection, the proxy stops relaying on every
   * channel but 0: later publishes never reach the broker, and confirms never reach the client,
   * as when a connection dies with messages in flight. Channel 0 still carries connection.close,
   * so the broker's close reaches the client. Applies once, to the first connection that gets there.
   */
  cutAfterPublishes?: number;
  /** Called at the cut; the check then closes the connection from the broker side. */
  onCut?: (connection: ProxiedConnection) => void;
}

/** One client connection relayed to the broker, with what the proxy saw on it. */
export class ProxiedConnection {
  readonly publishes: PublishRecord[] = [];
  /** basic.return frames passed on to the client, with the returned message's id. */
  readonly returns: Array<{ at: number; text: string; messageId?: string }> = [];
  readonly confirmChannels = new Set<number>();
  /** The reply text of a connection.close that the broker sent. */
  brokerCloseText?: string;
  /**
   * Publishes still waiting for a confirm when the client closed their channel or the connection,
   * or when its socket ended, whichever came first. Set once the client's side has closed.
   */
  unconfirmedAtClientClose?: PublishRecord[];
  clientClosedAt?: number;
  cut = false;

  private readonly nextTag = new Map<number, number>();
  /** Per channel, the publish (from the client) or the return (from the broker) whose content header comes next. */
  private readonly publishAwaitingHeader = new Map<number, PublishRecord>();
  private readonly returnAwaitingHeader = new Map<number, { messageId?: string }>();
  private readonly bodyRemaining = new Map<number, number>();
  private readonly delayed: Array<{ frame: Frame; due: number }> = [];
  private delayTimer?: NodeJS.Timeout;
  private brokerEnded = false;
  private completePublishes = 0;

  constructor(
    private readonly client: net.Socket,
    private readonly broker: net.Socket,
    private readonly behaviour: () => ProxyBehaviour,
    private readonly clock: () => number,
    private readonly onCut: (connection: ProxiedConnection) => void,
  ) {
    this.relay(client, new FrameReader(true), (frame) => this.fromClient(frame), broker);
    this.relay(broker, new FrameReader(false), (frame) => this.fromBroker(frame), client);
    client.on('close', () => {
      this.clientClosing();
      broker.destroy();
    });
    broker.on('close', () => {
      this.brokerEnded = true;
      if (this.delayed.length === 0) client.end();
    });
  }

  /** Publishes on confirm channels whose ack or nack has not reached the client (yet). */
  unconfirmed(): PublishRecord[] {
    return this.publishes.filter((record) => record.deliveryTag !== undefined && !record.outcome);
  }

  private readonly closedChannelsUnconfirmed = new Set<PublishRecord>();

  /** Takes the snapshot of unconfirmed publishes when the client closes the connection or its socket ends. */
  private clientClosing(): void {
    if (this.unconfirmedAtClientClose) return;
    this.clientClosedAt = this.clock();
    this.unconfirmedAtClientClose = [...new Set([...this.closedChannelsUnconfirmed, ...this.unconfirmed()])];
  }

  /** Parses what `from` sends and hands each frame on; bytes that are not AMQP 0-9-1 pass unread. */
  private relay(from: net.Socket, reader: FrameReader, onFrame: (frame: Frame) => void, to: net.Socket): void {
    let parsing = true;
    from.on('error', () => from.destroy());
    from.on('data', (chunk: Buffer) => {
      if (!parsing) return void to.write(chunk);
      try {
        const { protocolHeader, frames } = reader.push(chunk);
        if (protocolHeader) to.write(protocolHeader);
        for (const frame of frames) onFrame(frame);
      } catch {
        parsing = false;
        to.write(chunk);
      }
    });
  }

  private fromClient(frame: Frame): void {
    if (this.cut && frame.channel !== 0) return;
    this.broker.write(frame.raw);
    if (frame.type === FRAME_METHOD) {
      const { id, args } = readMethod(frame);
      if (id === Methods.connectionClose) {
        this.clientClosing();
      } else if (id === Methods.channelClose) {
        for (const record of this.unconfirmed()) if (record.channel === frame.channel) this.closedChannelsUnconfirmed.add(record);
      } else if (id === Methods.confirmSelect) {
        this.confirmChannels.add(frame.channel);
        this.nextTag.set(frame.channel, 1);
      } else if (id === Methods.basicPublish) {
        const record: PublishRecord = { at: this.clock(), channel: frame.channel, ...readPublish(args) };
        if (this.confirmChannels.has(frame.channel)) {
          record.deliveryTag = this.nextTag.get(frame.channel)!;
          this.nextTag.set(frame.channel, record.deliveryTag + 1);
        }
        this.publishes.push(record);
        this.publishAwaitingHeader.set(frame.channel, record);
      }
    } else if (frame.type === FRAME_HEADER) {
      const header = readContentHeader(frame);
      const record = this.publishAwaitingHeader.get(frame.channel);
      this.publishAwaitingHeader.delete(frame.channel);
      if (record) Object.assign(record, { messageId: header.messageId, deliveryMode: header.deliveryMode });
      this.bodyRemaining.set(frame.channel, header.bodySize);
      if (header.bodySize === 0) this.publishCompleted();
    } else if (frame.type === FRAME_BODY) {
      const remaining = (this.bodyRemaining.get(frame.channel) ?? 0) - frame.payload.length;
      this.bodyRemaining.set(frame.channel, remaining);
      if (remaining <= 0) this.publishCompleted();
    }
  }

  private publishCompleted(): void {
    this.completePublishes++;
    const cutAfter = this.behaviour().cutAfterPublishes;
    if (cutAfter === undefined || this.cut || this.completePublishes < cutAfter) return;
    this.cut = true;
    this.onCut(this);
  }

  private fromBroker(frame: Frame): void {
    if (this.cut && frame.channel !== 0) return;
    const delayMs = this.behaviour().confirmDelayMs;
    if (delayMs && (this.delayed.length > 0 || this.unconfirmed().length > 0)) {
      this.delayed.push({ frame, due: Date.now() + delayMs });
      this.scheduleDelayed();
      return;
    }
    this.deliver(frame);
  }

  private scheduleDelayed(): void {
    if (this.delayTimer || this.delayed.length === 0) return;
    this.delayTimer = setTimeout(() => {
      this.delayTimer = undefined;
      while (this.delayed.length && this.delayed[0].due <= Date.now()) this.deliver(this.delayed.shift()!.frame);
      if (this.delayed.length) this.scheduleDelayed();
      else if (this.brokerEnded) this.client.end();
    }, Math.max(0, this.delayed[0].due - Date.now()));
  }

  /** Passes a broker frame on to the client and records the confirms and returns it carries. */
  private deliver(frame: Frame): void {
    if (this.client.destroyed) return;
    this.client.write(frame.raw);
    if (frame.type === FRAME_HEADER) {
      const returned = this.returnAwaitingHeader.get(frame.channel);
      this.returnAwaitingHeader.delete(frame.channel);
      if (returned) returned.messageId = readContentHeader(frame).messageId;
      return;
    }
    if (frame.type !== FRAME_METHOD) return;
    const { id, args } = readMethod(frame);
    if (id === Methods.basicAck || id === Methods.basicNack) {
      const { deliveryTag, multiple } = readConfirm(args);
      const outcome = id === Methods.basicAck ? 'ack' : 'nack';
      for (const record of this.publishes) {
        if (record.channel !== frame.channel || record.deliveryTag === undefined || record.outcome) continue;
        if (record.deliveryTag === deliveryTag || (multiple && record.deliveryTag < deliveryTag)) record.outcome = outcome;
      }
    } else if (id === Methods.basicReturn) {
      const entry: { at: number; text: string; messageId?: string } = { at: this.clock(), text: readReply(args).text };
      this.returns.push(entry);
      this.returnAwaitingHeader.set(frame.channel, entry);
    } else if (id === Methods.connectionClose) {
      this.brokerCloseText = readReply(args).text;
    }
  }

  destroy(): void {
    clearTimeout(this.delayTimer);
    this.client.destroy();
    this.broker.destroy();
  }
}

/**
 * A TCP proxy on 127.0.0.1 between a learner program and RabbitMQ. It reads the AMQP frames both
 * ways, so a check can read on the wire what a program did (confirm mode, mandatory, message ids,
 * which confirms it had when it exited), and it can delay confirms or cut a connection mid-batch.
 */
export class AmqpProxy {
  readonly connections: ProxiedConnection[] = [];
  private behaviour: ProxyBehaviour = {};

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }, clock: () => number): Promise<AmqpProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const proxy = new AmqpProxy(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (client) => {
      const broker = net.connect(target.port, target.host);
      broker.on('error', () => client.destroy());
      const connection = new ProxiedConnection(client, broker, () => proxy.behaviour, clock, (cut) => {
        // The cut happens once per behaviour: connections opened to recover are relayed normally.
        const onCut = proxy.behaviour.onCut;
        proxy.behaviour = { ...proxy.behaviour, cutAfterPublishes: undefined, onCut: undefined };
        onCut?.(cut);
      });
      proxy.connections.push(connection);
    });
    return proxy;
  }

  /** Sets how connections are treated from now on, open ones included. */
  setBehaviour(behaviour: ProxyBehaviour): void {
    this.behaviour = behaviour;
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
