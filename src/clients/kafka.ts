// The checker's only door to kafkajs: probes and checks connect through here.
import { createRequire } from 'node:module';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { KafkaSecurity } from '../brokers/endpoints.js';

export type { Admin, Consumer, Kafka, Producer, EachMessagePayload } from 'kafkajs';
export { Partitioners } from 'kafkajs';

// kafkajs 2 warns on every producer that no partitioner was chosen; the checker always chooses.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

export interface KafkaClientOptions {
  brokers: string[];
  security?: KafkaSecurity;
  clientId?: string;
  /** How long one connection attempt may take, in milliseconds. */
  connectionTimeout?: number;
  /** How long one request may take, in milliseconds. */
  requestTimeout?: number;
  retries?: number;
  debug?: boolean;
}

export function kafkaClient(options: KafkaClientOptions): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId ?? 'mq-course',
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeout ?? 3000,
    requestTimeout: options.requestTimeout ?? 10_000,
    retry: { retries: options.retries ?? 5, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: options.debug ? logLevel.INFO : logLevel.NOTHING,
  };
  if (options.security?.ssl) config.ssl = true;
  if (options.security?.sasl) config.sasl = options.security.sasl as SASLOptions;
  return new Kafka(config);
}

export interface KafkaProbe {
  ok: boolean;
  clusterId?: string;
  brokerCount?: number;
  error?: string;
}

/** Proves Kafka is ready with a metadata request (describeCluster), not by waiting a fixed time. */
export async function probeKafka(brokers: string[], security?: KafkaSecurity, timeoutMs = 3000): Promise<KafkaProbe> {
  const admin = kafkaClient({ brokers, security, connectionTimeout: timeoutMs, requestTimeout: timeoutMs, retries: 0, clientId: 'mq-course-probe' }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return { ok: true, clusterId: cluster.clusterId, brokerCount: cluster.brokers.length };
  } catch (error) {
    return { ok: false, error: `${brokers.join(',')}: ${(error as Error).message}` };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}


// kafkajs 2.2.x ships both hashes but exports neither: the Java client's murmur2 (its default
// partitioner since 2.0) and the older JavaScript one its LegacyPartitioner keeps.
const requireFromHere = createRequire(import.meta.url);
const javaMurmur2 = requireFromHere('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: string | Buffer) => number;
const legacyMurmur2 = requireFromHere('kafkajs/src/producer/partitioners/legacy/murmur2.js') as (key: string | Buffer) => number;

/** Computes the partition the Java client's default partitioner picks for a keyed record: positive murmur2 modulo the partition count. */
export function javaDefaultPartition(key: string | Buffer, partitionCount: number): number {
  return (javaMurmur2(key) & 0x7fffffff) % partitionCount;
}

/** Computes the partition kafkajs's LegacyPartitioner picks for a keyed record. */
export function legacyPartition(key: string | Buffer, partitionCount: number): number {
  return (legacyMurmur2(key) & 0x7fffffff) % partitionCount;
}
