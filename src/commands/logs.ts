import { parseBrokerArgument } from '../brokers/select.js';
import { ExitCode, usageError } from '../errors.js';
import type { Io } from '../ui/io.js';
import { brokerContext, type BrokerCommandOptions } from './brokers-context.js';

export interface LogsOptions extends BrokerCommandOptions {
  broker?: string;
  follow?: boolean;
  /** How many recent lines to print, as typed after --lines. */
  lines?: string;
}

/** Prints the recent log lines of one broker or both; with --follow, keeps printing until Ctrl-C. */
export async function logs(options: LogsOptions, io: Io): Promise<number> {
  const brokers = parseBrokerArgument(options.broker);
  const lines = Number(options.lines ?? '50');
  if (!Number.isInteger(lines) || lines <= 0) {
    throw usageError(`Invalid --lines "${options.lines}": expected a whole number above 0.`, 'for example --lines 200');
  }
  const { runtime, context } = await brokerContext(options, io);

  // Following both brokers means two endless streams, so they run side by side.
  if (options.follow) {
    await Promise.all(brokers.map((broker) => runtime.logs(broker, context, { follow: true, lines })));
    return ExitCode.ok;
  }
  for (const broker of brokers) {
    if (brokers.length > 1) io.out(`==> ${broker} (${runtime.name}) <==`);
    await runtime.logs(broker, context, { lines });
  }
  return ExitCode.ok;
}
