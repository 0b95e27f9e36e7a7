// Stops, reports and shows the log of the Kafka that the native runtime started.
import { existsSync } from 'node:fs';
import { environmentError } from '../../errors.js';
import { probeBroker } from '../ready.js';
import type { BrokerStatus, RuntimeContext } from '../runtime.js';
import { configuredKafkaPort, kafkaFiles } from './kafka-config.js';
import { formatAddress, kafkaAddress, kafkaMarkers, STOP_GRACE_MS } from './kafka.js';
import { showLog } from './log-tail.js';
import { isOurProcess, readPidFile, removePidFile, stopProcessTree } from './process.js';

/** Stops Kafka only when the pid file names a live Kafka started with this state folder. */
export async function downKafka(context: RuntimeContext): Promise<void> {
  const { io } = context;
  const where = formatAddress(kafkaAddress(context.endpoints));
  const files = kafkaFiles(context.stateDir);
  const pid = readPidFile(files.pidFile);

  const ours = await isOurProcess(pid, kafkaMarkers(files));
  const startedPort = configuredKafkaPort(files);
  if (ours && startedPort !== undefined && startedPort !== kafkaAddress(context.endpoints).port) {
    // One state folder runs one Kafka; the address asked for is not the one it listens on.
    io.err(`kafka     the Kafka mq-course started listens on port ${startedPort}, not on ${where}; left as it is`);
    io.err(`          stop it with: mq-course down kafka --runtime native --kafka-brokers 127.0.0.1:${startedPort}`);
    return;
  }
  if (ours) {
    io.err(`kafka     stopping (pid ${pid})`);
    const outcome = await stopProcessTree(pid!, STOP_GRACE_MS);
    removePidFile(files.pidFile);
    io.err(outcome === 'terminated' ? `kafka     stopped (was on ${where})` : `kafka     killed after ${STOP_GRACE_MS / 1000} s without a clean shutdown (was on ${where})`);
    return;
  }

  // A pid file whose process is gone (or is now another program) is stale.
  if (pid !== undefined) removePidFile(files.pidFile);
  const probe = await probeBroker('kafka', context.endpoints);
  io.err(probe.ok ? `kafka     running on ${where} was not started by mq-course; left as it is` : `kafka     not running on ${where}; nothing to stop`);
}

export async function kafkaStatus(context: RuntimeContext): Promise<BrokerStatus> {
  const files = kafkaFiles(context.stateDir);
  const managed = (await isOurProcess(readPidFile(files.pidFile), kafkaMarkers(files))) && configuredKafkaPort(files) === kafkaAddress(context.endpoints).port;
  const probe = await probeBroker('kafka', context.endpoints);
  return {
    broker: 'kafka',
    ready: probe.ok,
    managed,
    where: formatAddress(kafkaAddress(context.endpoints)),
    detail: probe.detail,
    error: probe.ok ? undefined : probe.error,
  };
}

/** Prints the tail of the Kafka log, then, with `follow`, what is appended until Ctrl-C. */
export async function kafkaLogs(context: RuntimeContext, options: { follow?: boolean; lines?: number }): Promise<void> {
  const files = kafkaFiles(context.stateDir);
  if (!existsSync(files.logFile)) {
    throw environmentError(`No Kafka log at ${files.logFile}: the native runtime has not started Kafka with this state folder.`, 'mq-course up kafka --runtime native');
  }
  await showLog(files.logFile, context.io, options);
}
