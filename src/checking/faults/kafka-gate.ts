// A TCP proxy in front of a Kafka cluster that the checker can cut and restore, so a learner's
// client sees the broker become unreachable while the broker itself (shared with other runs)
// stays up.
//
// A plain TCP proxy is not enough for Kafka: a client uses its bootstrap address only for the
// first Metadata request, then connects to the host and port each broker advertises, which would
// bypass the proxy. So the gate rewrites the broker addresses in Metadata and FindCoordinator
// responses to addresses of its own listeners (one per upstream broker), and every later
// connection of the client comes through it too.
import net from 'node:net';
import { decodeFrames, rewriteBrokerAddresses, type Rewrite } from './kafka-frames.js';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
}

/** One listener of the gate: clients connect here, and the gate connects on to `upstream`. */
interface Listener {
  server: net.Server;
  port: number;
  upstream: { host: string; port: number };
}

export class KafkaGate {
  private readonly listeners = new Map<string, Promise<Listener>>();
  private readonly pairs = new Set<Pair>();
  private open = true;
  /** The number of connections rejected while the gate was cut. */
  refused = 0;
  /** A response the gate could not rewrite (a client on an API version it does not parse); the client then bypasses the gate. */
  unsupported?: string;

  private constructor(private readonly host: string) {}

  /** Starts a gate in front of the first of `brokers` ("host:port"), listening on `host` at a free port. */
  static async start(brokers: string[], host = '127.0.0.1'): Promise<KafkaGate> {
    const gate = new KafkaGate(host);
    await gate.listenerFor(brokers[0]);
    return gate;
  }

  /** Returns the bootstrap address to give the learner's program instead of the real brokers. */
  async bootstrap(): Promise<string> {
    const first = await [...this.listeners.values()][0];
    return `${this.host}:${first.port}`;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Drops every connection through the gate and rejects new ones until `restore()`. */
  cut(): void {
    this.open = false;
    for (const pair of this.pairs) this.dropPair(pair);
  }

  restore(): void {
    this.open = true;
  }

  async close(): Promise<void> {
    this.cut();
    const listeners = await Promise.all([...this.listeners.values()].map((listener) => listener.catch(() => undefined)));
    await Promise.all(listeners.map((listener) => listener && new Promise<void>((resolve) => listener.server.close(() => resolve()))));
  }

  /** Returns the gate's listener for an upstream broker, creating it on first use. */
  private listenerFor(address: string): Promise<Listener> {
    let listener = this.listeners.get(address);
    if (!listener) {
      listener = this.listen(parseAddress(address));
      this.listeners.set(address, listener);
    }
    return listener;
  }

  private listen(upstream: { host: string; port: number }): Promise<Listener> {
    const server = net.createServer((client) => this.accept(client, upstream));
    // A gate that a failed run forgot must not keep the checker's process alive.
    server.unref();
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, this.host, () => resolve({ server, port: (server.address() as net.AddressInfo).port, upstream }));
    });
  }

  private accept(client: net.Socket, upstream: { host: string; port: number }): void {
    client.on('error', () => {});
    if (!this.open) {
      this.refused++;
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client, upstream: net.connect(upstream.port, upstream.host) };
    pair.upstream.on('error', () => {});
    this.pairs.add(pair);
    const drop = () => this.dropPair(pair);
    client.on('close', drop);
    pair.upstream.on('close', drop);

    // Requests go through unchanged; the gate only notes which correlation ids asked for broker addresses.
    const pending = new Map<number, Rewrite>();
    const requests = decodeFrames((frame) => {
      if (frame.length < 8) return;
      const apiKey = frame.readInt16BE(0);
      const apiVersion = frame.readInt16BE(2);
      const correlationId = frame.readInt32BE(4);
      if (apiKey === 3 || apiKey === 10) pending.set(correlationId, { apiKey, apiVersion });
    });
    client.on('data', (chunk: Buffer) => {
      requests(chunk);
      pair.upstream.write(chunk);
    });

    // Responses are rewritten one at a time and in order, because a new listener may have to start first.
    let queue = Promise.resolve();
    const responses = decodeFrames((frame) => {
      queue = queue.then(async () => {
        const correlationId = frame.readInt32BE(0);
        const rewrite = pending.get(correlationId);
        pending.delete(correlationId);
        let body = frame;
        if (rewrite) {
          const result = await rewriteBrokerAddresses(frame, rewrite, async (host, port) => ({ host: this.host, port: (await this.listenerFor(`${host}:${port}`)).port }));
          if (result === 'unsupported') this.unsupported ??= `api ${rewrite.apiKey} version ${rewrite.apiVersion}`;
          else body = result;
        }
        const size = Buffer.alloc(4);
        size.writeInt32BE(body.length);
        client.write(Buffer.concat([size, body]));
      }).catch(() => this.dropPair(pair));
    });
    pair.upstream.on('data', (chunk: Buffer) => responses(chunk));
  }

  private dropPair(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.resetAndDestroy();
    pair.upstream.destroy();
  }
}

function parseAddress(address: string): { host: string; port: number } {
  const index = address.lastIndexOf(':');
  return { host: address.slice(0, index).replace(/^\[|\]$/g, ''), port: Number(address.slice(index + 1)) };
}
