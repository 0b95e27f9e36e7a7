import type { Admin, Kafka } from '../../clients/kafka.js';

/**
 * Moves a consumer group's committed offsets on a topic back to the earliest records, as
 * `kafka-consumer-groups --reset-offsets --to-earliest` does. The group must have no members.
 *
 * kafkajs 2.2.4's admin.resetOffsets does the same, but its internal consumer waits for a fetch
 * with the default maxWaitTimeInMs of 5 s. Joining the group with a short wait, committing and
 * leaving takes well under a second.
 */
export async function rewindGroupOffsets(kafka: Kafka, admin: Admin, groupId: string, topic: string, timeoutMs = 10_000): Promise<void> {
  const { groups } = await admin.describeGroups([groupId]);
  if (groups[0]?.members.length) throw new Error(`cannot reset the offsets of ${groupId}: it still has ${groups[0].members.length} member(s); stop them or remove them first`);
  const earliest = (await admin.fetchTopicOffsets(topic)).map((entry) => ({ topic, partition: entry.partition, offset: entry.low }));

  const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100 });
  await consumer.connect();
  let timer: NodeJS.Timeout | undefined;
  try {
    const joined = new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
      timer = setTimeout(() => reject(new Error(`joining ${groupId} to reset its offsets timed out after ${timeoutMs / 1000} s`)), timeoutMs);
    });
    await consumer.subscribe({ topic });
    // No processing and no automatic commits: the only commit is the one below.
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => {} });
    consumer.pause([{ topic }]);
    await joined;
    await consumer.commitOffsets(earliest);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => {});
  }
}
