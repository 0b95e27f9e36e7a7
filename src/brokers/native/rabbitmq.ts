// Reuses a RabbitMQ that accepts AMQP connections, or starts the locally installed rabbitmq-server on loopback.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { environmentError } from '../../errors.js';
import { redactUrl } from '../endpoints.js';
import { probeBroker, waitUntilReady } from '../ready.js';
import type { RuntimeContext } from '../runtime.js';
import { ensureManagementApi, managementErlangArgs } from './management.js';
import { lastLines } from './maven.js';
import { findExecutable, findListener, isProcessAlive } from './platform.js';
import { withLockFile } from './process.js';
import { startProgress, type Progress } from './progress.js';
import { acceptsConnections, isLoopbackHost } from './tcp.js';

export const RABBITMQ_INSTALL_HINT =
  'install RabbitMQ (Debian/Ubuntu: apt-get install rabbitmq-server; macOS: brew install rabbitmq; Windows: choco install rabbitmq), or use `mq-course up --runtime docker`';

/**
 * What the runtime stores after it started a node, in <stateDir>/rabbitmq/started.json:
 * { node?: RABBITMQ_NODENAME at start, port, pid?: the listening process, startedAt }.
 */
export interface StartedNode {
  node?: string;
  port: number;
  pid?: number;
  startedAt: string;
}

export function startedFile(stateDir: string): string {
  return path.join(stateDir, 'rabbitmq', 'started.json');
}

/** Reads the record of a node this runtime started. Returns undefined when that node's process is gone. */
export function readStartedNode(stateDir: string): StartedNode | undefined {
  const file = startedFile(stateDir);
  if (!existsSync(file)) return undefined;
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as StartedNode;
    if (record.pid !== undefined && !isProcessAlive(record.pid)) return undefined;
    return record;
  } catch {
    return undefined;
  }
}

export function amqpAddress(amqpUrl: string): { host: string; port: number; where: string } {
  const url = new URL(amqpUrl);
  const port = Number(url.port || (url.protocol === 'amqps:' ? 5671 : 5672));
  return { host: url.hostname, port, where: `${url.hostname}:${port}` };
}

export async function upRabbit(context: RuntimeContext): Promise<void> {
  const progress = startProgress(context.io, 'rabbitmq');
  const lock = path.join(context.stateDir, 'rabbitmq', 'up.lock');
  mkdirSync(path.dirname(lock), { recursive: true });
  try {
    await withLockFile(lock, (holder) => progress.step(`waiting for another mq-course up (pid ${holder})`), () => reuseOrStartRabbit(context, progress));
  } finally {
    progress.stop();
  }
}

async function reuseOrStartRabbit(context: RuntimeContext, progress: Progress): Promise<void> {
  const { io, endpoints } = context;
  const { host, port, where } = amqpAddress(endpoints.amqpUrl);
  progress.step(`connecting to ${redactUrl(endpoints.amqpUrl)}`);
  const probe = await probeBroker('rabbitmq', endpoints);
  if (probe.ok) {
    const owner = readStartedNode(context.stateDir)?.port === port ? 'started by mq-course' : 'left as it is';
    progress.done(`rabbitmq  already running on ${where} (${probe.detail}), ${owner}`);
    await ensureManagementApi(context, progress);
    return;
  }
  if (await acceptsConnections(host, port)) {
    throw environmentError(
      `Port ${port} on ${host} accepts connections, but the AMQP connection failed: ${probe.error}.`,
      'check the user and password in --amqp-url (or AMQP_URL); if another program holds the port, stop it',
    );
  }
  if (!isLoopbackHost(host)) {
    throw environmentError(`RabbitMQ does not respond on ${where}, and the native runtime starts RabbitMQ only on this machine.`, `start the broker on ${host}, or use --amqp-url amqp://guest:guest@127.0.0.1:5672 to run it here`);
  }
  const server = findExecutable('rabbitmq-server', io.env);
  if (!server) throw environmentError(`RabbitMQ does not respond on ${where}, and rabbitmq-server is not on the PATH.`, RABBITMQ_INSTALL_HINT);

  progress.step('starting rabbitmq-server -detached');
  const env = serverEnv(context, port);
  const started = await execa(server, ['-detached'], { env, extendEnv: false, reject: false, all: true, timeout: 120_000 });
  if (started.exitCode !== 0) {
    throw environmentError(`rabbitmq-server -detached failed (exit code ${started.exitCode ?? 'none'}):\n${lastLines(started.all ?? '', 20)}`, 'rabbitmq-diagnostics -q log_location shows where the node logs');
  }
  writeStartedNode(context.stateDir, { node: io.env.RABBITMQ_NODENAME, port, startedAt: new Date().toISOString() });

  progress.step(`waiting for an AMQP connection on ${where}`);
  const ready = await waitUntilReady('rabbitmq', endpoints, context.timeoutMs);
  if (!ready.ok) {
    await stopNode(context);
    throw environmentError(`RabbitMQ did not accept an AMQP connection on ${where} within ${context.timeoutMs / 1000} s (last attempt: ${ready.error}).`, "read the node's log (rabbitmq-diagnostics -q log_location shows where); if the machine is just slow, run again with a longer --timeout");
  }
  const listener = await findListener(port, io.env);
  writeStartedNode(context.stateDir, { node: io.env.RABBITMQ_NODENAME, port, pid: listener?.pid, startedAt: new Date().toISOString() });
  progress.done(`rabbitmq  ready on ${where} in ${progress.elapsedSeconds()} s (${ready.detail}, started by mq-course)`);
  await ensureManagementApi(context, progress);
}

/**
 * Builds the environment for rabbitmq-server: AMQP on loopback at the URL's port, and the management
 * listener on loopback from boot in case the plugin is already enabled (its default binds every interface).
 */
function serverEnv(context: RuntimeContext, port: number): NodeJS.ProcessEnv {
  const env = context.io.env;
  const extraArgs = [env.RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS, managementErlangArgs(context.endpoints.managementUrl)].filter(Boolean).join(' ');
  return { ...env, RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1', RABBITMQ_NODE_PORT: String(port), RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: extraArgs };
}

function writeStartedNode(stateDir: string, record: StartedNode): void {
  const file = startedFile(stateDir);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(record, null, 2) + '\n');
}

/** Stops the node this runtime started with `rabbitmqctl stop`, and deletes its record. */
export async function stopNode(context: RuntimeContext): Promise<{ ok: boolean; output: string }> {
  const record = readStartedNode(context.stateDir);
  const rabbitmqctl = findExecutable('rabbitmqctl', context.io.env);
  if (!rabbitmqctl) return { ok: false, output: 'rabbitmqctl is not on the PATH' };
  const nodeArgs = record?.node ? ['-n', record.node] : [];
  const result = await execa(rabbitmqctl, [...nodeArgs, 'stop'], { env: context.io.env, extendEnv: false, reject: false, all: true, timeout: 120_000 });
  if (result.exitCode === 0) rmSync(startedFile(context.stateDir), { force: true });
  return { ok: result.exitCode === 0, output: (result.all ?? '').trim() };
}
