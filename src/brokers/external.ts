import { environmentError } from '../errors.js';
import { redactUrl, type BrokerName, type Endpoints } from './endpoints.js';
import { probeBroker } from './ready.js';
import type { BrokerStatus, Runtime, RuntimeContext } from './runtime.js';

// Brokers that run elsewhere: a class's shared brokers, a managed cloud service, or ones the
// learner started by hand. mq-course only probes them; it never starts or stops them.

// One probe attempt: an unreachable shared broker should fail fast rather than wait out `--timeout`.
const PROBE_TIMEOUT_MS = 5000;

export const EXTERNAL_CONFIG_HINT =
  'set the addresses with --amqp-url and --kafka-brokers, the AMQP_URL and KAFKA_BROKERS environment variables, ' +
  'or "brokers" in the workspace mq-course.json (amqpUrl, kafkaBrokers, and kafka.ssl / kafka.sasl for a secured cluster)';

/** Formats where a broker is expected, for messages: the AMQP URL without its password, or the Kafka bootstrap list. */
export function brokerAddress(broker: BrokerName, endpoints: Endpoints): string {
  if (broker === 'rabbitmq') return redactUrl(endpoints.amqpUrl);
  return endpoints.kafkaBrokers.join(',');
}

/** Names the security settings in use, so a TLS or SASL mistake is visible in the output. */
export function securityNote(broker: BrokerName, endpoints: Endpoints): string | undefined {
  if (broker === 'rabbitmq') return endpoints.amqpUrl.startsWith('amqps:') ? 'TLS' : undefined;
  const security = endpoints.kafkaSecurity;
  const parts: string[] = [];
  if (security?.ssl) parts.push('TLS');
  if (security?.sasl) parts.push(`SASL ${security.sasl.mechanism} as ${security.sasl.username}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

async function externalStatus(brokers: BrokerName[], context: RuntimeContext): Promise<BrokerStatus[]> {
  return Promise.all(
    brokers.map(async (broker) => {
      const probe = await probeBroker(broker, context.endpoints, Math.min(PROBE_TIMEOUT_MS, context.timeoutMs));
      const security = securityNote(broker, context.endpoints);
      const detail = [probe.detail, security].filter(Boolean).join(', ') || undefined;
      return { broker, ready: probe.ok, managed: false, where: brokerAddress(broker, context.endpoints), detail, error: probe.error };
    }),
  );
}

export const externalRuntime: Runtime = {
  name: 'external',

  // Starts nothing: proves that each broker responds, and reports where and which version.
  async up(brokers, context) {
    const statuses = await externalStatus(brokers, context);
    for (const status of statuses) {
      const line = status.ready ? `responds at ${status.where} (${status.detail})` : `does not respond at ${status.where}`;
      context.io.err(`${status.broker.padEnd(9)} ${line}`);
    }
    const failed = statuses.filter((status) => !status.ready);
    if (failed.length === 0) return;
    const reasons = failed.map((status) => `${status.broker}: ${status.error}`).join('; ');
    throw environmentError(
      `The external ${failed.map((status) => status.broker).join(' and ')} broker${failed.length > 1 ? 's do' : ' does'} not respond (${reasons}). The external runtime starts nothing.`,
      `check that the broker runs and is reachable from this machine, and ${EXTERNAL_CONFIG_HINT}`,
    );
  },

  async down(brokers, context) {
    for (const broker of brokers) {
      context.io.err(`${broker.padEnd(9)} nothing to stop: the external runtime did not start ${brokerAddress(broker, context.endpoints)}; stop it where it runs`);
    }
  },

  status: externalStatus,

  async logs(broker, context) {
    throw environmentError(
      `mq-course cannot read the logs of an external ${broker} broker (${brokerAddress(broker, context.endpoints)}).`,
      broker === 'rabbitmq'
        ? 'read them where the broker runs, or open its management UI (port 15672 by default)'
        : 'read them where the broker runs (its server.log)',
    );
  },
};
