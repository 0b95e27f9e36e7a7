import { BROKERS } from '../brokers/endpoints.js';
import { ExitCode } from '../errors.js';
import type { Io } from '../ui/io.js';
import { brokerContext, type BrokerCommandOptions } from './brokers-context.js';

/** Prints one line per broker. It exits 3 when one does not respond, so scripts can test readiness. */
export async function status(options: BrokerCommandOptions, io: Io): Promise<number> {
  const { runtime, context } = await brokerContext(options, io);
  const statuses = await runtime.status([...BROKERS], context);
  const { colors } = io;
  for (const entry of statuses) {
    const state = entry.ready ? colors.green('ready') : colors.red('not answering');
    let owner = '';
    if (entry.managed) owner = `started by mq-course (${runtime.name})`;
    else if (entry.ready) owner = 'found running';
    io.out(`${entry.broker.padEnd(9)} ${state}  ${entry.where}${entry.detail ? `  ${entry.detail}` : ''}${owner ? `  ${colors.dim(owner)}` : ''}`);
    if (entry.error) io.out(`          ${colors.dim(entry.error)}`);
  }
  if (statuses.every((entry) => entry.ready)) return ExitCode.ok;
  io.out(`\nStart them with: mq-course up${runtime.name === 'native' || runtime.name === 'external' ? ` --runtime ${runtime.name}` : ''}`);
  return ExitCode.environment;
}
