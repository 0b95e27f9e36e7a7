import { probeKafka } from '../clients/kafka.js';
import { probeRabbit } from '../clients/rabbitmq.js';
import type { BrokerName, Endpoints } from './endpoints.js';

export interface ProbeResult {
  broker: BrokerName;
  ok: boolean;
  /** Version or cluster id, for status output. */
  detail?: string;
  error?: string;
}

export async function probeBroker(broker: BrokerName, endpoints: Endpoints, timeoutMs = 3000): Promise<ProbeResult> {
  if (broker === 'rabbitmq') {
    const result = await probeRabbit(endpoints.amqpUrl, timeoutMs);
    return { broker, ok: result.ok, detail: result.version && `RabbitMQ ${result.version}`, error: result.error };
  }
  const result = await probeKafka(endpoints.kafkaBrokers, endpoints.kafkaSecurity, timeoutMs);
  return { broker, ok: result.ok, detail: result.clusterId && `Kafka cluster ${result.clusterId}`, error: result.error };
}

/**
 * Probes a broker until it responds or the deadline passes. `isAlive` lets a runtime stop early
 * when the process it started has exited, instead of waiting out the deadline.
 */
export async function waitUntilReady(
  broker: BrokerName,
  endpoints: Endpoints,
  deadlineMs: number,
  isAlive: () => boolean | Promise<boolean> = () => true,
): Promise<ProbeResult> {
  const start = Date.now();
  let last: ProbeResult = { broker, ok: false, error: 'not probed yet' };
  while (Date.now() - start < deadlineMs) {
    last = await probeBroker(broker, endpoints, Math.min(3000, Math.max(500, deadlineMs - (Date.now() - start))));
    if (last.ok) return last;
    if (!(await isAlive())) return { ...last, error: `the ${broker} process exited before it became ready (${last.error})` };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return last;
}
