import { parseBrokerArgument } from '../brokers/select.js';
import { ExitCode } from '../errors.js';
import type { Io } from '../ui/io.js';
import { brokerContext, type BrokerCommandOptions } from './brokers-context.js';

export async function down(options: BrokerCommandOptions & { broker?: string }, io: Io): Promise<number> {
  const brokers = parseBrokerArgument(options.broker);
  const { runtime, context } = await brokerContext(options, io);
  await runtime.down(brokers, context);
  return ExitCode.ok;
}
