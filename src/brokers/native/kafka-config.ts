// Files of the native Kafka broker under <stateDir>/kafka: the KRaft config, the log4j2 config,
// the cluster id kept across restarts, the data folder, the log and the pid file.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { usageError } from '../../errors.js';
import type { HostPort } from './tcp.js';

export interface KafkaFiles {
  root: string;
  serverProperties: string;
  log4jProperties: string;
  clusterIdFile: string;
  dataDir: string;
  logFile: string;
  pidFile: string;
  /** Lock file that an `up` holds while it checks and starts Kafka. */
  upLock: string;
}

/** Reads the port of the PLAINTEXT listener from the server.properties a Kafka was started with. */
export function configuredKafkaPort(files: KafkaFiles): number | undefined {
  if (!existsSync(files.serverProperties)) return undefined;
  const listeners = /^listeners=(.*)$/m.exec(readFileSync(files.serverProperties, 'utf8'))?.[1] ?? '';
  const port = /PLAINTEXT:\/\/[^,]*:(\d+)/.exec(listeners)?.[1];
  return port ? Number(port) : undefined;
}

export function kafkaFiles(stateDir: string): KafkaFiles {
  const root = path.join(stateDir, 'kafka');
  return {
    root,
    serverProperties: path.join(root, 'server.properties'),
    log4jProperties: path.join(root, 'log4j2.properties'),
    clusterIdFile: path.join(root, 'cluster-id'),
    dataDir: path.join(root, 'data'),
    logFile: path.join(root, 'kafka.log'),
    pidFile: path.join(root, 'kafka.pid'),
    upLock: path.join(root, 'up.lock'),
  };
}

/** Returns the controller listener's port: MQ_COURSE_KAFKA_CONTROLLER_PORT, else the broker port + 1. */
export function controllerPort(brokerPort: number, env: NodeJS.ProcessEnv): number {
  const value = env.MQ_COURSE_KAFKA_CONTROLLER_PORT;
  if (value === undefined || value === '') return brokerPort + 1;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || port === brokerPort) {
    throw usageError(`Invalid MQ_COURSE_KAFKA_CONTROLLER_PORT "${value}": expected a free TCP port other than the broker port ${brokerPort}.`, `unset it to use ${brokerPort + 1}`);
  }
  return port;
}

/**
 * Builds the properties of a single combined broker+controller node on loopback. Every internal
 * topic gets replication factor 1, because with the default of 3 a lone broker never creates
 * __consumer_offsets and consumers report "group coordinator not available".
 */
export function serverProperties(broker: HostPort, controller: number, dataDir: string): string {
  const host = '127.0.0.1';
  const settings: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@${host}:${controller}`,
    listeners: `PLAINTEXT://${host}:${broker.port},CONTROLLER://${host}:${controller}`,
    'advertised.listeners': `PLAINTEXT://${host}:${broker.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    // Forward slashes: a properties file reads a backslash as an escape, and Java accepts / on Windows.
    'log.dirs': dataDir.split(path.sep).join('/'),
    'num.partitions': 1,
    'offsets.topic.replication.factor': 1,
    // One partition makes the first consumer group join fast; the default is 50.
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    // Share groups (KIP-932) have their own internal topic from Kafka 4.0 on.
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    // The default 3 s delay before the first rebalance would slow every check that joins a group.
    'group.initial.rebalance.delay.ms': 0,
    // Checks create their topics with several partitions, and auto-creation would hide a missing create.
    'auto.create.topics.enable': false,
  };
  const lines = Object.entries(settings).map(([key, value]) => `${key}=${value}`);
  return ['# Written by mq-course on every `up`; edits here are overwritten.', ...lines, ''].join('\n');
}

/** Builds the log4j2 config: everything at INFO to stdout, which the runtime sends to kafka.log. */
export function log4jProperties(): string {
  return [
    '# Written by mq-course on every `up`.',
    'status = warn',
    'appender.stdout.type = Console',
    'appender.stdout.name = STDOUT',
    'appender.stdout.layout.type = PatternLayout',
    'appender.stdout.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = INFO',
    'rootLogger.appenderRef.stdout.ref = STDOUT',
    '',
  ].join('\n');
}

/**
 * Returns the cluster id stored in the state folder, creating it on first use: 16 random bytes in
 * base64url (22 characters), the form StorageTool accepts. Reusing it lets restarts keep the
 * formatted data folder.
 */
export function clusterId(files: KafkaFiles): string {
  if (existsSync(files.clusterIdFile)) {
    const stored = readFileSync(files.clusterIdFile, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{22}$/.test(stored)) return stored;
  }
  const id = randomBytes(16).toString('base64url');
  mkdirSync(files.root, { recursive: true });
  writeFileSync(files.clusterIdFile, id + '\n');
  return id;
}

/** True when StorageTool has formatted the data folder (it writes meta.properties there). */
export function isFormatted(files: KafkaFiles): boolean {
  return existsSync(path.join(files.dataDir, 'meta.properties'));
}
