// Read-only AMQP 0-9-1 framing: just enough of the protocol to follow publishes, confirms and
// returns on a connection the checker relays. A frame is: type (1 octet), channel (2), payload
// size (4), payload, and the frame-end octet 0xCE.

export const FRAME_METHOD = 1;
export const FRAME_HEADER = 2;
export const FRAME_BODY = 3;
const FRAME_END = 0xce;
/** "AMQP" 0 0 9 1: the client sends it once, before its first frame. */
const PROTOCOL_HEADER_SIZE = 8;

export interface Frame {
  type: number;
  channel: number;
  payload: Buffer;
  /** The whole frame as it came off the wire, to forward unchanged. */
  raw: Buffer;
}

/** Splits a byte stream into frames, whatever the chunk boundaries. */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private protocolHeaderPending: boolean) {}

  /** Appends bytes; returns the client's protocol header once it is complete, and every complete frame. Throws on bytes that are not AMQP 0-9-1. */
  push(chunk: Buffer): { protocolHeader?: Buffer; frames: Frame[] } {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let protocolHeader: Buffer | undefined;
    if (this.protocolHeaderPending) {
      if (this.buffer.length < PROTOCOL_HEADER_SIZE) return { frames: [] };
      protocolHeader = this.buffer.subarray(0, PROTOCOL_HEADER_SIZE);
      if (protocolHeader.toString('latin1', 0, 4) !== 'AMQP') throw new Error('not an AMQP protocol header');
      this.buffer = this.buffer.subarray(PROTOCOL_HEADER_SIZE);
      this.protocolHeaderPending = false;
    }
    const frames: Frame[] = [];
    while (this.buffer.length >= 7) {
      const size = this.buffer.readUInt32BE(3);
      const total = 7 + size + 1;
      if (this.buffer.length < total) break;
      if (this.buffer[total - 1] !== FRAME_END) throw new Error('AMQP frame without its frame-end octet');
      frames.push({ type: this.buffer[0], channel: this.buffer.readUInt16BE(1), payload: this.buffer.subarray(7, total - 1), raw: this.buffer.subarray(0, total) });
      this.buffer = this.buffer.subarray(total);
    }
    return { protocolHeader, frames };
  }
}

/** Reads AMQP field values in order from a method's arguments or a content header. */
export class FieldCursor {
  private offset = 0;
  constructor(private readonly data: Buffer) {}
  octet(): number {
    return this.data.readUInt8(this.offset++);
  }
  short(): number {
    const value = this.data.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }
  longlong(): number {
    const value = Number(this.data.readBigUInt64BE(this.offset));
    this.offset += 8;
    return value;
  }
  shortstr(): string {
    const length = this.octet();
    const value = this.data.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  skipTable(): void {
    this.offset += 4 + this.data.readUInt32BE(this.offset);
  }
}

/** Method ids as class id * 1000 + method id: 60_040 is basic.publish (class 60, method 40). */
export const Methods = {
  connectionClose: 10_050,
  channelClose: 20_040,
  basicPublish: 60_040,
  basicReturn: 60_050,
  basicAck: 60_080,
  basicNack: 60_120,
  confirmSelect: 85_010,
} as const;

/** Returns a method frame's id (see Methods) and a reader for its arguments. */
export function readMethod(frame: Frame): { id: number; args: FieldCursor } {
  return { id: frame.payload.readUInt16BE(0) * 1000 + frame.payload.readUInt16BE(2), args: new FieldCursor(frame.payload.subarray(4)) };
}

export function readPublish(args: FieldCursor): { exchange: string; routingKey: string; mandatory: boolean } {
  args.short(); // reserved
  const exchange = args.shortstr();
  const routingKey = args.shortstr();
  return { exchange, routingKey, mandatory: (args.octet() & 1) === 1 };
}

/** Reads the delivery tag and the `multiple` flag of basic.ack or basic.nack. */
export function readConfirm(args: FieldCursor): { deliveryTag: number; multiple: boolean } {
  const deliveryTag = args.longlong();
  return { deliveryTag, multiple: (args.octet() & 1) === 1 };
}

/** Reads the reply code and text that connection.close, channel.close and basic.return start with. */
export function readReply(args: FieldCursor): { code: number; text: string } {
  const code = args.short();
  return { code, text: args.shortstr() };
}

/** The fields of a basic content header that the checks read. */
export interface ContentHeader {
  bodySize: number;
  deliveryMode?: number;
  messageId?: string;
}

export function readContentHeader(frame: Frame): ContentHeader {
  const cursor = new FieldCursor(frame.payload);
  cursor.short(); // class id
  cursor.short(); // weight
  const bodySize = cursor.longlong();
  const flags = cursor.short();
  const has = (bit: number) => (flags & (1 << bit)) !== 0;
  const header: ContentHeader = { bodySize };
  // Basic properties in wire order, from bit 15 down; message-id (bit 7) is the last one read.
  if (has(15)) cursor.shortstr(); // content-type
  if (has(14)) cursor.shortstr(); // content-encoding
  if (has(13)) cursor.skipTable(); // headers
  if (has(12)) header.deliveryMode = cursor.octet();
  if (has(11)) cursor.octet(); // priority
  if (has(10)) cursor.shortstr(); // correlation-id
  if (has(9)) cursor.shortstr(); // reply-to
  if (has(8)) cursor.shortstr(); // expiration
  if (has(7)) header.messageId = cursor.shortstr();
  return header;
}
