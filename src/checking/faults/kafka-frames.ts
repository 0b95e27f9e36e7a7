// The little of the Kafka wire protocol the gate needs: splitting a stream into size-prefixed
// frames, and rewriting broker addresses in Metadata (api key 3) and FindCoordinator (api key 10)
// responses. Layouts are those of the Kafka protocol guide. Only the non-flexible versions are
// parsed (Metadata v0–v8, FindCoordinator v0–v2), and these cover every version kafkajs 2.2.4
// sends (Metadata up to v6, FindCoordinator up to v2).

export interface Rewrite {
  apiKey: number;
  apiVersion: number;
}

/** Returns a function that takes stream chunks and calls `onFrame` with each complete frame, without its 4-byte size. */
export function decodeFrames(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let buffered: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    while (buffered.length >= 4) {
      const size = buffered.readInt32BE(0);
      if (buffered.length < 4 + size) break;
      onFrame(buffered.subarray(4, 4 + size));
      buffered = buffered.subarray(4 + size);
    }
  };
}

type Relocate = (host: string, port: number) => Promise<{ host: string; port: number }>;

/** A cursor over a response body. */
class Reader {
  offset = 0;
  constructor(readonly buffer: Buffer) {}

  int16(): number {
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  int32(): number {
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  /** Reads a STRING or NULLABLE_STRING (int16 length, -1 for null). */
  string(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    const value = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
}

function encodeString(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const length = Buffer.alloc(2);
  length.writeInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function encodeInt32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
}

/**
 * Returns the response frame (correlation id first) with every broker address replaced by
 * `relocate(host, port)`, or 'unsupported' for a flexible (compact-encoded) version.
 */
export async function rewriteBrokerAddresses(frame: Buffer, request: Rewrite, relocate: Relocate): Promise<Buffer | 'unsupported'> {
  if (request.apiKey === 3) return request.apiVersion <= 8 ? rewriteMetadata(frame, request.apiVersion, relocate) : 'unsupported';
  if (request.apiKey === 10) return request.apiVersion <= 2 ? rewriteCoordinator(frame, request.apiVersion, relocate) : 'unsupported';
  return frame;
}

// Metadata response: [throttle_time_ms (v3+)] brokers[node_id host port rack (v1+)] ...rest.
async function rewriteMetadata(frame: Buffer, version: number, relocate: Relocate): Promise<Buffer> {
  const reader = new Reader(frame);
  reader.int32(); // correlation id
  if (version >= 3) reader.int32(); // throttle_time_ms
  const head = frame.subarray(0, reader.offset);
  const count = reader.int32();
  const brokers: Buffer[] = [encodeInt32(count)];
  for (let index = 0; index < count; index++) {
    const nodeId = reader.int32();
    const host = reader.string() ?? '';
    const port = reader.int32();
    const moved = await relocate(host, port);
    brokers.push(encodeInt32(nodeId), encodeString(moved.host), encodeInt32(moved.port));
    if (version >= 1) {
      const rackStart = reader.offset;
      reader.string();
      brokers.push(frame.subarray(rackStart, reader.offset));
    }
  }
  return Buffer.concat([head, ...brokers, frame.subarray(reader.offset)]);
}

// FindCoordinator response: [throttle_time_ms error_message (v1+)] error_code node_id host port.
async function rewriteCoordinator(frame: Buffer, version: number, relocate: Relocate): Promise<Buffer> {
  const reader = new Reader(frame);
  reader.int32(); // correlation id
  if (version >= 1) reader.int32(); // throttle_time_ms
  reader.int16(); // error_code
  if (version >= 1) reader.string(); // error_message
  reader.int32(); // node_id
  const head = frame.subarray(0, reader.offset);
  const host = reader.string() ?? '';
  const port = reader.int32();
  // An error response carries no coordinator (host "" and port -1): nothing to move.
  if (!host || port < 0) return frame;
  const moved = await relocate(host, port);
  return Buffer.concat([head, encodeString(moved.host), encodeInt32(moved.port), frame.subarray(reader.offset)]);
}
