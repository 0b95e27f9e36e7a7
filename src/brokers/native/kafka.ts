// Starts a single-node KRaft Kafka on loopback as a detached JVM, or reuses one that already responds.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { CliError, environmentError, ExitCode, usageError } from '../../errors.js';
import type { Endpoints } from '../endpoints.js';
import { probeBroker, waitUntilReady } from '../ready.js';
import type { RuntimeContext } from '../runtime.js';
import { clusterId, configuredKafkaPort, controllerPort, isFormatted, kafkaFiles, log4jProperties, serverProperties, type KafkaFiles } from './kafka-config.js';
import { findJava, requireJavaVersion } from './java.js';
import { tailFile } from './log-tail.js';
import { ensureKafkaLibs, lastLines, type KafkaLibs } from './maven.js';
import { describeListener, isProcessAlive } from './platform.js';
import { isOurProcess, readPidFile, removePidFile, spawnDetached, stopProcessTree, withLockFile, writePidFile } from './process.js';
import { startProgress, type Progress } from './progress.js';
import { acceptsConnections, isLoopbackHost, parseHostPort, type HostPort } from './tcp.js';

const LOG_TAIL_LINES = 20;
// Heap for a course broker. Kafka's scripts default to 1 GiB, more than a course broker needs.
const HEAP_OPTIONS = ['-Xmx512m', '-Xms256m'];
// SIGTERM starts Kafka's controlled shutdown, which took under 1 s in this project's tests (Kafka 4.1.2).
// The grace period leaves room for a slow disk.
export const STOP_GRACE_MS = 30_000;

/** Returns the first bootstrap server, the one the native runtime runs. The port defaults to 9092. */
export function kafkaAddress(endpoints: Endpoints): HostPort {
  const first = endpoints.kafkaBrokers[0] ?? '';
  const address = parseHostPort(first, 9092);
  if (!address) throw usageError(`Invalid Kafka bootstrap server "${first}": expected host:port.`, 'for example --kafka-brokers 127.0.0.1:9092');
  return address;
}

export function formatAddress(address: HostPort): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** Command-line markers that identify a Kafka this runtime started with these files. */
export function kafkaMarkers(files: KafkaFiles): string[] {
  return ['kafka.Kafka', files.serverProperties];
}

export async function upKafka(context: RuntimeContext): Promise<void> {
  const address = kafkaAddress(context.endpoints);
  const files = kafkaFiles(context.stateDir);
  const progress = startProgress(context.io, 'kafka');
  mkdirSync(files.root, { recursive: true });
  try {
    await withLockFile(files.upLock, (holder) => progress.step(`waiting for another mq-course up (pid ${holder})`), () => reuseOrStartKafka(address, files, context, progress));
  } finally {
    progress.stop();
  }
}

async function reuseOrStartKafka(address: HostPort, files: KafkaFiles, context: RuntimeContext, progress: Progress): Promise<void> {
  const where = formatAddress(address);
  progress.step(`probing ${where}`);

  const earlierPid = readPidFile(files.pidFile);
  const ours = await isOurProcess(earlierPid, kafkaMarkers(files));
  if (earlierPid !== undefined && !ours) removePidFile(files.pidFile);
  const startedPort = configuredKafkaPort(files);
  if (ours && startedPort !== undefined && startedPort !== address.port) {
    throw environmentError(
      `mq-course already runs a Kafka from ${files.root} on port ${startedPort}; one state folder runs one Kafka, so it cannot start another on ${where}.`,
      `stop it first (mq-course down kafka --runtime native --kafka-brokers 127.0.0.1:${startedPort}), or set MQ_COURSE_HOME to another folder`,
    );
  }

  if (await acceptsConnections(address.host, address.port)) {
    const probe = await probeBroker('kafka', context.endpoints);
    if (probe.ok) {
      const owner = ours ? `started by mq-course, log: ${files.logFile}` : 'left as it is';
      progress.done(`kafka     already running on ${where} (${probe.detail}), ${owner}`);
      return;
    }
    if (!ours) throw await portTaken(address, 'the Kafka port', probe.error, context.io.env);
  }
  if (ours) return await awaitEarlierStart(earlierPid!, address, files, context, progress);

  if (!isLoopbackHost(address.host)) {
    throw environmentError(
      `Kafka does not respond on ${where}, and the native runtime starts Kafka only on this machine (127.0.0.1).`,
      `start the broker on ${address.host}, or use --kafka-brokers 127.0.0.1:9092 to run it here`,
    );
  }
  await startKafka(address, files, context, progress);
}

async function startKafka(address: HostPort, files: KafkaFiles, context: RuntimeContext, progress: Progress): Promise<void> {
  const env = context.io.env;
  const where = formatAddress(address);
  const controller = controllerPort(address.port, env);
  if (await acceptsConnections('127.0.0.1', controller)) {
    throw await portTaken({ host: '127.0.0.1', port: controller }, 'the Kafka controller port', undefined, env);
  }

  const java = findJava(env);
  await requireJavaVersion(java, env);
  const libs = await ensureKafkaLibs(context.stateDir, env, (version) => progress.step(`fetching the Kafka ${version} jars with mvn (only the first time)`));

  mkdirSync(files.dataDir, { recursive: true });
  writeFileSync(files.serverProperties, serverProperties(address, controller, files.dataDir));
  writeFileSync(files.log4jProperties, log4jProperties());
  // Each start begins a fresh log, so the tail shown on failure belongs to this start.
  writeFileSync(files.logFile, '');
  const jvmOptions = [...HEAP_OPTIONS, `-Dlog4j2.configurationFile=${files.log4jProperties}`, '-cp', path.join(libs.dir, '*')];
  if (!isFormatted(files)) {
    progress.step('formatting the data folder');
    await formatStorage(java, jvmOptions, files, env);
  }

  progress.step(`starting Kafka ${libs.version}`);
  const pid = await spawnDetached(java, [...jvmOptions, 'kafka.Kafka', files.serverProperties], { cwd: files.root, env, logFile: files.logFile });
  writePidFile(files.pidFile, pid);

  progress.step(`waiting for a metadata response on ${where}`);
  const probe = await waitUntilReady('kafka', localEndpoints(context.endpoints, address), context.timeoutMs, () => isProcessAlive(pid));
  if (!probe.ok) {
    const exited = !isProcessAlive(pid);
    // The log tail is read before the stop, which would bury the cause under shutdown lines.
    const error = notReady(exited ? `Kafka ${libs.version} exited before it answered on ${where}` : `Kafka ${libs.version} did not answer on ${where} within ${seconds(context.timeoutMs)} s`, files, probe.error);
    await stopProcessTree(pid, STOP_GRACE_MS);
    removePidFile(files.pidFile);
    throw error;
  }
  progress.done(`kafka     ready on ${where} in ${progress.elapsedSeconds()} s (${describeLibs(libs)}, started by mq-course, log: ${files.logFile})`);
}

/** Waits for a Kafka that an earlier `up` started and that does not respond yet (still booting, or hung). */
async function awaitEarlierStart(pid: number, address: HostPort, files: KafkaFiles, context: RuntimeContext, progress: Progress): Promise<void> {
  const where = formatAddress(address);
  progress.step(`waiting for the Kafka that mq-course started earlier (pid ${pid})`);
  const probe = await waitUntilReady('kafka', localEndpoints(context.endpoints, address), context.timeoutMs, () => isProcessAlive(pid));
  if (!probe.ok) {
    throw notReady(`The Kafka that mq-course started earlier (pid ${pid}) does not respond on ${where} after ${seconds(context.timeoutMs)} s`, files, probe.error, 'mq-course down kafka --runtime native, then mq-course up kafka --runtime native');
  }
  progress.done(`kafka     ready on ${where} in ${progress.elapsedSeconds()} s (started by mq-course, log: ${files.logFile})`);
}

async function formatStorage(java: string, jvmOptions: string[], files: KafkaFiles, env: NodeJS.ProcessEnv): Promise<void> {
  // -g (--ignore-formatted) makes a repeated format with the same cluster id harmless.
  const args = [...jvmOptions, 'kafka.tools.StorageTool', 'format', '-t', clusterId(files), '-c', files.serverProperties, '-g'];
  const result = await execa(java, args, { cwd: files.root, env, extendEnv: false, reject: false, all: true, timeout: 120_000 });
  writeFileSync(files.logFile, (result.all ?? '') + '\n', { flag: 'a' });
  if (result.exitCode !== 0) {
    throw environmentError(
      `Formatting the Kafka data folder ${files.dataDir} failed (exit code ${result.exitCode ?? 'none'}):\n${lastLines(result.all ?? '', LOG_TAIL_LINES)}`,
      `read ${files.logFile}; if the folder holds data of another cluster, remove ${files.dataDir} and ${files.clusterIdFile}`,
    );
  }
}

/** Probes only the broker this runtime started, in plaintext, whatever security the workspace config sets for other clusters. */
function localEndpoints(endpoints: Endpoints, address: HostPort): Endpoints {
  return { ...endpoints, kafkaBrokers: [formatAddress(address)], kafkaSecurity: undefined };
}

async function portTaken(address: HostPort, role: string, probeError: string | undefined, env: NodeJS.ProcessEnv): Promise<CliError> {
  const listener = await describeListener(address.port, env);
  const who = listener ? ` by ${listener}` : '';
  const why = probeError ? ` (Kafka probe: ${probeError})` : '';
  return environmentError(
    `Port ${address.port} on ${address.host}, ${role}, is in use${who}, which does not respond as a Kafka broker${why}.`,
    role === 'the Kafka controller port'
      ? `stop that process, or choose another controller port with MQ_COURSE_KAFKA_CONTROLLER_PORT`
      : `stop that process, or run Kafka on another port: mq-course up kafka --runtime native --kafka-brokers 127.0.0.1:<port>`,
  );
}

function notReady(what: string, files: KafkaFiles, probeError: string | undefined, next?: string): CliError {
  const tail = tailFile(files.logFile, LOG_TAIL_LINES);
  const message = [`${what}${probeError ? ` (last probe: ${probeError})` : ''}.`, `Last lines of ${files.logFile}:`, tail || '(the log is empty)'].join('\n');
  return new CliError(message, ExitCode.environment, next ?? `read ${files.logFile}; if the machine is just slow, run again with a longer --timeout`);
}

function describeLibs(libs: KafkaLibs): string {
  return libs.source === 'KAFKA_HOME' ? `Kafka ${libs.version} from KAFKA_HOME` : `Kafka ${libs.version}`;
}

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}
