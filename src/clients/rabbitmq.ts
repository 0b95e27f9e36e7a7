// The checker's only door to amqplib: probes and checks connect through here.
import amqp, { type ChannelModel } from 'amqplib';
import { redactUrl } from '../brokers/endpoints.js';

export type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';

/** Opens a plain (non-recovering) AMQP connection that gives up after `timeoutMs`. */
export async function connectRabbit(url: string, timeoutMs = 5000, connectionName = 'mq-course'): Promise<ChannelModel> {
  const connection = await amqp.connect(url, {
    timeout: timeoutMs,
    clientProperties: { connection_name: connectionName },
  });
  // An 'error' event with no listener would crash the checker, and the close event reports the rest.
  connection.on('error', () => {});
  return connection;
}

export interface RabbitProbe {
  ok: boolean;
  version?: string;
  error?: string;
}

/** Proves RabbitMQ is ready by opening and closing an AMQP connection. */
export async function probeRabbit(url: string, timeoutMs = 3000): Promise<RabbitProbe> {
  try {
    const connection = await connectRabbit(url, timeoutMs, 'mq-course probe');
    const version = String(connection.connection.serverProperties.version ?? 'unknown');
    await connection.close().catch(() => {});
    return { ok: true, version };
  } catch (error) {
    return { ok: false, error: `${redactUrl(url)}: ${describeError(error)}` };
  }
}

export function describeError(error: unknown): string {
  const err = error as { code?: string; message?: string };
  if (err?.code === 'ECONNREFUSED') return 'connection refused';
  if (err?.code === 'ETIMEDOUT' || /timeout/i.test(err?.message ?? '')) return 'timed out';
  return err?.message ?? String(error);
}

/** Calls the RabbitMQ management HTTP API. Returns undefined for an empty body or a 404 on DELETE (already gone); other failures throw. */
export async function managementRequest(baseUrl: string, method: string, apiPath: string, timeoutMs = 5000): Promise<unknown> {
  const url = new URL(baseUrl);
  const auth = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
  url.username = '';
  url.password = '';
  const response = await fetch(new URL(apiPath, url), {
    method,
    headers: { authorization: `Basic ${auth}` },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status === 404 && method === 'DELETE') return undefined;
  if (!response.ok) throw new Error(`management API ${method} ${apiPath}: HTTP ${response.status}`);
  const text = await response.text();
  return text ? JSON.parse(text) : undefined;
}
