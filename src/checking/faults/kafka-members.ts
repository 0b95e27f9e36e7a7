import type { Admin, Kafka } from '../../clients/kafka.js';

/** The part of kafkajs's internal Broker that sends a LeaveGroup request. */
interface Coordinator {
  leaveGroup(request: { groupId: string; memberId: string }): Promise<unknown>;
}

interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(request: { groupId: string }): Promise<Coordinator>;
}

/**
 * kafkajs 2.2.4 has no admin call that sends LeaveGroup for another member. Its Kafka client keeps
 * a factory for the internal cluster object under the symbol 'private:Kafka:createCluster', and
 * that cluster's group coordinator sends LeaveGroup. Returns undefined when a kafkajs version
 * without the factory is installed.
 */
function internalCluster(kafka: Kafka): InternalCluster | undefined {
  const symbol = Object.getOwnPropertySymbols(kafka).find((candidate) => candidate.description === 'private:Kafka:createCluster');
  const factory = symbol ? (kafka as unknown as Record<symbol, unknown>)[symbol] : undefined;
  return typeof factory === 'function' ? (factory as (options: object) => InternalCluster)({}) : undefined;
}

/**
 * Removes every member of the given consumer groups by sending LeaveGroup on each member's behalf.
 * The coordinator does the same by itself once a member's session times out (6 s or more). A
 * killed learner program never sends LeaveGroup, so without this its group keeps the dead member
 * until then, and a group with members cannot be deleted. Kafka 4.1 accepts LeaveGroup (v3) for members that
 * have no group.instance.id, which is every kafkajs member. With `clientId`, only the members that
 * connected with that client id are removed. Returns the member ids it removed.
 */
export async function removeGroupMembers(kafka: Kafka, admin: Admin, groupIds: string[], clientId?: string): Promise<string[]> {
  if (groupIds.length === 0) return [];
  const { groups } = await admin.describeGroups(groupIds);
  const chosen = (member: { clientId: string }) => clientId === undefined || member.clientId === clientId;
  const busy = groups.filter((group) => group.members.some(chosen));
  if (busy.length === 0) return [];

  const cluster = internalCluster(kafka);
  if (!cluster) throw new Error('this kafkajs version offers no way to send LeaveGroup; wait for the session timeout instead');
  const removed: string[] = [];
  await cluster.connect();
  try {
    for (const group of busy) {
      const coordinator = await cluster.findGroupCoordinator({ groupId: group.groupId });
      for (const member of group.members.filter(chosen)) {
        try {
          await coordinator.leaveGroup({ groupId: group.groupId, memberId: member.memberId });
          removed.push(member.memberId);
        } catch (error) {
          // UNKNOWN_MEMBER_ID: the member left or timed out since the describe, which is the goal anyway.
          if ((error as { type?: string }).type !== 'UNKNOWN_MEMBER_ID') throw error;
        }
      }
    }
  } finally {
    await cluster.disconnect().catch(() => {});
  }
  return removed;
}
