// Tracks WebSocket frame boundaries (RFC 6455 §5.2) in a byte stream without touching payloads,
// so the tunnel can insert a close frame between frames (never inside one) when it drains.

export class WsFrameCursor {
  /** Payload bytes left in the current frame. */
  private remaining = 0;
  /** Bytes of a frame header split across chunks. */
  private partial: Buffer | undefined;
  /** Whether a close frame (opcode 0x8) has passed: the session then ends normally, whatever the sockets do next. */
  closeSeen = false;

  get atBoundary(): boolean {
    return this.remaining === 0 && this.partial === undefined;
  }

  /**
   * Advances over `chunk`. With `stopAtFirstBoundary`, returns the offset of the first frame
   * boundary in the chunk (0 when already at one) or -1 when there is none; otherwise returns
   * the chunk length.
   */
  advance(chunk: Buffer, stopAtFirstBoundary = false): number {
    let pos = 0;
    const len = chunk.length;
    while (pos < len || (stopAtFirstBoundary && this.atBoundary)) {
      if (stopAtFirstBoundary && this.atBoundary) return pos;
      if (this.remaining > 0) {
        const skip = Math.min(this.remaining, len - pos);
        this.remaining -= skip;
        pos += skip;
        continue;
      }
      // At a header: parse it from (partial + chunk[pos..]).
      const source = this.partial === undefined ? chunk.subarray(pos) : Buffer.concat([this.partial, chunk.subarray(pos, pos + 14)]);
      const carried = this.partial?.length ?? 0;
      const headerLen = WsFrameCursor.headerLength(source);
      if (headerLen === undefined || source.length < headerLen) {
        // Incomplete header: keep what we have (at most 14 bytes) for the next chunk.
        this.partial = Buffer.from(source.subarray(0, Math.min(source.length, 14)));
        return stopAtFirstBoundary ? -1 : len;
      }
      this.partial = undefined;
      if (((source[0] as number) & 0x0f) === 0x8) this.closeSeen = true;
      this.remaining = WsFrameCursor.payloadLength(source);
      pos += headerLen - carried;
    }
    return stopAtFirstBoundary ? (this.atBoundary ? pos : -1) : len;
  }

  private static headerLength(b: Buffer): number | undefined {
    if (b.length < 2) return undefined;
    const second = b[1] as number;
    const len7 = second & 0x7f;
    return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + ((second & 0x80) !== 0 ? 4 : 0);
  }

  private static payloadLength(b: Buffer): number {
    const len7 = (b[1] as number) & 0x7f;
    if (len7 === 126) return b.readUInt16BE(2);
    if (len7 === 127) return Number(b.readBigUInt64BE(2));
    return len7;
  }
}

/** An unmasked (server-to-client) close frame with a status code and a short reason. */
export function serverCloseFrame(code: number, reason: string): Buffer {
  const text = Buffer.from(reason.slice(0, 100));
  const frame = Buffer.alloc(4 + text.length);
  frame[0] = 0x88;
  frame[1] = 2 + text.length;
  frame.writeUInt16BE(code, 2);
  text.copy(frame, 4);
  return frame;
}
