// Stops, reports and locates the log of the RabbitMQ node that the native runtime started.
import { existsSync, rmSync } from 'node:fs';
import { execa } from 'execa';
import { environmentError } from '../../errors.js';
import { probeBroker } from '../ready.js';
import type { BrokerStatus, RuntimeContext } from '../runtime.js';
import { showLog } from './log-tail.js';
import { findExecutable } from './platform.js';
import { amqpAddress, readStartedNode, startedFile, stopNode } from './rabbitmq.js';

/** Stops RabbitMQ only when this runtime started the node that listens on the AMQP port. */
export async function downRabbit(context: RuntimeContext): Promise<void> {
  const { io } = context;
  const { port, where } = amqpAddress(context.endpoints.amqpUrl);
  const record = readStartedNode(context.stateDir);
  const probe = await probeBroker('rabbitmq', context.endpoints);

  if (record?.port === port && probe.ok) {
    io.err(`rabbitmq  stopping (rabbitmqctl${record.node ? ` -n ${record.node}` : ''} stop)`);
    const result = await stopNode(context);
    if (!result.ok) throw environmentError(`rabbitmqctl stop failed: ${result.output}`, 'rabbitmqctl status shows the node; stop it by hand with rabbitmqctl stop');
    io.err(`rabbitmq  stopped (was on ${where})`);
    return;
  }

  // The record of a node that is gone (stopped by hand, machine restarted) is stale.
  if (record?.port === port) rmSync(startedFile(context.stateDir), { force: true });
  io.err(probe.ok ? `rabbitmq  running on ${where} was not started by mq-course; left as it is` : `rabbitmq  not running on ${where}; nothing to stop`);
}

export async function rabbitStatus(context: RuntimeContext): Promise<BrokerStatus> {
  const { port, where } = amqpAddress(context.endpoints.amqpUrl);
  const probe = await probeBroker('rabbitmq', context.endpoints);
  return {
    broker: 'rabbitmq',
    ready: probe.ok,
    managed: probe.ok && readStartedNode(context.stateDir)?.port === port,
    where,
    detail: probe.detail,
    error: probe.ok ? undefined : probe.error,
  };
}

/** Prints where the local node logs (from rabbitmq-diagnostics), then that log's tail, and with `follow` what is appended. */
export async function rabbitLogs(context: RuntimeContext, options: { follow?: boolean; lines?: number }): Promise<void> {
  const { io } = context;
  const diagnostics = findExecutable('rabbitmq-diagnostics', io.env);
  if (!diagnostics) {
    throw environmentError('rabbitmq-diagnostics is not on the PATH, so the log location of the local node is unknown.', 'look in the RabbitMQ log folder (Debian: /var/log/rabbitmq; Homebrew: $(brew --prefix)/var/log/rabbitmq)');
  }
  const result = await execa(diagnostics, ['-q', 'log_location'], { env: io.env, extendEnv: false, reject: false, all: true, timeout: 60_000 });
  const files = (result.stdout ?? '').split('\n').map((line) => line.trim()).filter(Boolean);
  if (result.exitCode !== 0 || files.length === 0) {
    throw environmentError(`rabbitmq-diagnostics -q log_location failed: ${(result.all ?? '').trim() || `exit code ${result.exitCode}`}`, 'mq-course up rabbitmq --runtime native starts the node');
  }
  io.err(`rabbitmq logs to: ${files.join(', ')}`);
  const file = files.find((candidate) => existsSync(candidate));
  if (!file) return;
  await showLog(file, io, options);
}
