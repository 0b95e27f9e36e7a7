import { usageError } from '../errors.js';
import type { WorkspaceConfig } from '../workspace/config.js';

export type BrokerName = 'rabbitmq' | 'kafka';
export const BROKERS: readonly BrokerName[] = ['rabbitmq', 'kafka'];

/** SASL and TLS settings for a Kafka cluster that is not on this machine (an instructor's, say). */
export interface KafkaSecurity {
  ssl?: boolean;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

/** The broker addresses. Every learner program and every check gets these. */
export interface Endpoints {
  amqpUrl: string;
  /** RabbitMQ management API base URL, with credentials; used to list and close a run's objects. */
  managementUrl: string;
  kafkaBrokers: string[];
  kafkaSecurity?: KafkaSecurity;
}

export interface EndpointFlags {
  amqpUrl?: string;
  kafkaBrokers?: string;
}

export const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
export const DEFAULT_KAFKA_BROKERS = ['127.0.0.1:9092'];

/** Resolves the endpoints: flags first, then the environment, then the workspace config, then the defaults. */
export function resolveEndpoints(flags: EndpointFlags = {}, env: NodeJS.ProcessEnv = process.env, config?: WorkspaceConfig): Endpoints {
  const amqpUrl = flags.amqpUrl ?? env.AMQP_URL ?? config?.brokers?.amqpUrl ?? DEFAULT_AMQP_URL;
  const kafkaList = flags.kafkaBrokers ?? env.KAFKA_BROKERS;
  const kafkaBrokers = kafkaList ? splitList(kafkaList) : (config?.brokers?.kafkaBrokers ?? DEFAULT_KAFKA_BROKERS);
  validateAmqpUrl(amqpUrl);
  for (const broker of kafkaBrokers) validateHostPort(broker);
  const managementUrl = env.RABBITMQ_MANAGEMENT_URL ?? config?.brokers?.managementUrl ?? managementUrlFor(amqpUrl);
  return { amqpUrl, kafkaBrokers, managementUrl, kafkaSecurity: config?.brokers?.kafka };
}

/** Rejects an AMQP URL that amqplib could not use, naming it, before anything tries to connect. */
function validateAmqpUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(`Invalid RabbitMQ URL "${redactUrl(url)}".`, 'use the form amqp://user:password@host:5672 (--amqp-url, AMQP_URL or brokers.amqpUrl in mq-course.json)');
  }
  if (parsed.protocol !== 'amqp:' && parsed.protocol !== 'amqps:') {
    throw usageError(`Invalid RabbitMQ URL "${redactUrl(url)}": the scheme must be amqp: or amqps:, not ${parsed.protocol}`, 'use the form amqp://user:password@host:5672');
  }
}

/** Rejects a Kafka bootstrap address that is not host:port with a port from 1 to 65535. */
function validateHostPort(address: string): void {
  const match = /^(.+):(\d+)$/.exec(address);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 1 || port > 65535) {
    throw usageError(`Invalid Kafka broker address "${address}".`, 'use host:port, e.g. 127.0.0.1:9092 (--kafka-brokers, KAFKA_BROKERS or brokers.kafkaBrokers in mq-course.json)');
  }
}

function splitList(list: string): string[] {
  return list
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Derives the management API URL from an AMQP URL: same host and credentials, port 15672 (15671 for amqps). */
export function managementUrlFor(amqpUrl: string): string {
  const url = new URL(amqpUrl);
  const secure = url.protocol === 'amqps:';
  const user = decodeURIComponent(url.username || 'guest');
  const password = decodeURIComponent(url.password || 'guest');
  return `${secure ? 'https' : 'http'}://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${url.hostname}:${secure ? 15671 : 15672}`;
}

/** Returns a URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
