import { redactUrl, type BrokerName, type Endpoints } from '../brokers/endpoints.js';
import { probeBroker } from '../brokers/ready.js';
import { environmentError } from '../errors.js';
import type { Io } from '../ui/io.js';
import type { Workspace } from '../workspace/config.js';

const LABELS: Record<BrokerName, string> = { rabbitmq: 'RabbitMQ', kafka: 'Kafka' };

function where(broker: BrokerName, endpoints: Endpoints): string {
  return broker === 'rabbitmq' ? redactUrl(endpoints.amqpUrl) : endpoints.kafkaBrokers.join(',');
}

/** Returns the probe's error without the address it starts with, since the message already shows the address. */
function reason(broker: BrokerName, error: string | undefined, endpoints: Endpoints): string {
  if (!error) return 'no answer';
  const prefix = `${where(broker, endpoints)}: `;
  return error.startsWith(prefix) ? error.slice(prefix.length) : error;
}

/**
 * Makes sure the brokers a check needs respond. On a terminal it offers to start them. Otherwise,
 * or when the learner declines, it fails with exit code 3 and the command that starts them.
 */
export async function ensureBrokers(brokers: BrokerName[], endpoints: Endpoints, workspace: Workspace, io: Io): Promise<void> {
  const probes = await Promise.all(brokers.map((broker) => probeBroker(broker, endpoints, 2500)));
  const down = probes.filter((probe) => !probe.ok);
  if (down.length === 0) return;

  // A broker that refuses the login is running: starting it again would not help.
  const refused = down.find((probe) => /ACCESS.REFUSED|403|authentication|SASL/i.test(probe.error ?? ''));
  if (refused) {
    throw environmentError(
      `${LABELS[refused.broker]} at ${where(refused.broker, endpoints)} refused the login: ${reason(refused.broker, refused.error, endpoints)}`,
      refused.broker === 'rabbitmq' ? 'check the user and password in --amqp-url, AMQP_URL or brokers.amqpUrl in mq-course.json' : 'check brokers.kafka (ssl, sasl) in mq-course.json',
    );
  }

  const names = down.map((probe) => LABELS[probe.broker]).join(' and ');
  const upCommand = `mq-course up${down.length === 1 ? ` ${down[0].broker}` : ''}`;
  if (io.interactive) {
    const { confirm } = await import('@inquirer/prompts');
    if (await confirm({ message: `${names} ${down.length === 1 ? 'is' : 'are'} not responding. Start ${down.length === 1 ? 'it' : 'them'} now (${upCommand})?`, default: true })) {
      const { up } = await import('../commands/up.js');
      await up({ cwd: workspace.root, broker: down.length === 1 ? down[0].broker : undefined }, io);
      return;
    }
  }
  const details = down.map((probe) => `  ${LABELS[probe.broker]} at ${where(probe.broker, endpoints)}: ${reason(probe.broker, probe.error, endpoints)}`).join('\n');
  throw environmentError(`${names} ${down.length === 1 ? 'is' : 'are'} not responding, so the checks cannot run.\n${details}`, `start ${down.length === 1 ? 'it' : 'them'} with \`${upCommand}\` (see \`mq-course status\`), then run the check again`);
}
