import net from 'node:net';
import type { BrokerName } from '../endpoints.js';
import type { BrokerStatus, RuntimeName } from '../runtime.js';
import type { CheckResult } from './checks.js';
import { portHolderFix } from './diagnose.js';
import { PUBLISHED_PORTS } from './project.js';

const CONNECT_TIMEOUT_MS = 1000;

/** Tells whether something accepts TCP connections on 127.0.0.1:port. */
export function isPortListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const finish = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/**
 * Checks the broker ports on 127.0.0.1: each must be free, or held by the broker that the
 * runtime reports. Docker and Podman cannot publish a port that another program holds, even a
 * working broker; the native runtime reuses a broker it finds running.
 */
export async function portChecks(runtime: RuntimeName, statuses: BrokerStatus[], ports: Record<BrokerName, number[]> = PUBLISHED_PORTS): Promise<CheckResult[]> {
  if (runtime === 'external') {
    return [{ status: 'info', text: 'ports 5672, 15672 and 9092 not checked: the external runtime starts no broker on this machine' }];
  }
  const results: CheckResult[] = [];
  for (const broker of Object.keys(ports) as BrokerName[]) {
    const status = statuses.find((entry) => entry.broker === broker);
    for (const port of ports[broker]) {
      results.push(await portCheck(runtime, broker, port, status));
    }
  }
  return results;
}

async function portCheck(runtime: RuntimeName, broker: BrokerName, port: number, status: BrokerStatus | undefined): Promise<CheckResult> {
  if (!(await isPortListening(port))) return { status: 'ok', text: `port ${port} is free` };
  if (status?.ready && status.managed) return { status: 'ok', text: `port ${port} is held by the ${broker} that mq-course started` };
  if (status?.ready && runtime === 'native') return { status: 'ok', text: `port ${port} is held by a running ${broker}, which mq-course reuses` };
  const holder = status?.ready ? `a ${broker} that mq-course did not start, so the ${runtime} runtime cannot publish it` : `a program that does not respond as ${broker}`;
  return { status: 'fail', text: `port ${port} is held by ${holder}`, fix: portHolderFix(port) };
}
