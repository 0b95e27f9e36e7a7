import { execa } from 'execa';
import { managementRequest } from '../../src/clients/rabbitmq.js';
import { kafkaClient } from '../../src/clients/kafka.js';
import { managementUrlFor, DEFAULT_AMQP_URL, DEFAULT_KAFKA_BROKERS } from '../../src/brokers/endpoints.js';

/**
 * Lists the broker objects named with `prefix` (a run id, or "mqc-" for every run) and the
 * processes whose command line contains `processMarker` (a workspace path: learner programs run from it).
 */
export async function leftoversOf(prefix: string, processMarker?: string): Promise<string[]> {
  const found: string[] = [];
  const management = managementUrlFor(process.env.AMQP_URL ?? DEFAULT_AMQP_URL);
  for (const kind of ['queues', 'exchanges'] as const) {
    const list = (await managementRequest(management, 'GET', `/api/${kind}/%2F?columns=name`)) as Array<{ name: string }>;
    for (const { name } of list) if (name.startsWith(prefix)) found.push(`${kind.slice(0, -1)} ${name}`);
  }
  const admin = kafkaClient({ brokers: process.env.KAFKA_BROKERS?.split(',') ?? DEFAULT_KAFKA_BROKERS, retries: 2 }).admin();
  await admin.connect();
  try {
    for (const topic of await admin.listTopics()) if (topic.startsWith(prefix)) found.push(`topic ${topic}`);
    for (const { groupId } of (await admin.listGroups()).groups) if (groupId.startsWith(prefix)) found.push(`consumer group ${groupId}`);
  } finally {
    await admin.disconnect();
  }
  const ps = await execa('ps', ['-eo', 'pid,args'], { reject: false });
  if (processMarker) for (const line of String(ps.stdout).split('\n')) if (line.includes(processMarker)) found.push(`process ${line.trim()}`);
  return found;
}
