// Whether the queue named in a command's replyTo keeps replies while the orchestrator is down.
import { managementRequest } from '../../clients/rabbitmq.js';
import type { RabbitTools } from '../rabbit.js';

export interface ReplyQueueFinding {
  /** The reason replies would be lost while the orchestrator is down; undefined when the queue keeps them. */
  problem?: 'direct-reply-to' | 'exclusive' | 'auto-delete' | 'not-durable';
  /** One sentence for the report, naming the queue. */
  description: string;
}

interface QueueInfo {
  durable: boolean;
  exclusive?: boolean;
  auto_delete: boolean;
}

/**
 * Inspects the reply queue from the checker's own connection. A passive declare of a queue that
 * is exclusive to another connection fails with RESOURCE_LOCKED (seen on RabbitMQ 3.10), so an
 * exclusive queue shows even without the management API. Durability and auto-delete come from
 * the management API when it is reachable.
 */
export async function inspectReplyQueue(rabbit: RabbitTools, managementUrl: string, name: string): Promise<ReplyQueueFinding> {
  if (name.startsWith('amq.rabbitmq.reply-to')) {
    return { problem: 'direct-reply-to', description: `replyTo is ${name}, RabbitMQ's direct reply-to: a reply that comes while the orchestrator's channel is gone is dropped.` };
  }
  let info: QueueInfo | undefined;
  if (await rabbit.hasManagement()) {
    info = (await managementRequest(managementUrl, 'GET', `/api/queues/%2F/${encodeURIComponent(name)}`).catch(() => undefined)) as QueueInfo | undefined;
  }
  const visible = await rabbit.inspectQueue(name);
  if (info?.exclusive || (!visible && info)) {
    return { problem: 'exclusive', description: `The reply queue ${name} is exclusive to the orchestrator's connection: RabbitMQ deletes it, with every reply in it, when the orchestrator dies.` };
  }
  if (!visible && !info) {
    return { problem: 'exclusive', description: `The reply queue ${name} cannot be inspected from another connection: it is exclusive to the orchestrator's connection (or does not exist), so replies sent while the orchestrator is down are lost.` };
  }
  if (info?.auto_delete) {
    return { problem: 'auto-delete', description: `The reply queue ${name} is auto-delete: RabbitMQ deletes it when the orchestrator's consumer goes away, so replies sent while it is down are lost.` };
  }
  if (info && !info.durable) {
    return { problem: 'not-durable', description: `The reply queue ${name} is not durable: a broker restart deletes it with the replies in it.` };
  }
  return { description: `The reply queue ${name} is durable and shared, so replies wait there while the orchestrator is down.` };
}
