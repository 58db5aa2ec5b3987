// The frame-boundary tracker the WebSocket tunnel uses to put a close frame between frames.
import { describe, expect, it } from 'vitest';
import { WsFrameCursor, serverCloseFrame } from '../../gateway/src/ws-frame-cursor.ts';

function frame(payloadLength: number, masked: boolean): Buffer {
  const ext = payloadLength < 126 ? 0 : payloadLength < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + ext + (masked ? 4 : 0));
  header[0] = 0x82;
  const maskBit = masked ? 0x80 : 0;
  if (ext === 0) header[1] = maskBit | payloadLength;
  else if (ext === 2) {
    header[1] = maskBit | 126;
    header.writeUInt16BE(payloadLength, 2);
  } else {
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(BigInt(payloadLength), 2);
  }
  return Buffer.concat([header, Buffer.alloc(payloadLength, 7)]);
}

describe('WsFrameCursor', () => {
  const frames = [frame(5, false), frame(300, false), frame(70_000, false), frame(0, false), frame(20, true), frame(126, false)];
  const stream = Buffer.concat(frames);
  const boundaries = new Set<number>([0]);
  let offset = 0;
  for (const f of frames) boundaries.add((offset += f.length));

  it('finds exactly the frame boundaries whatever the chunking (headers split included)', () => {
    for (const chunkSize of [1, 2, 3, 7, 13, 1000, 65_536, stream.length]) {
      const cursor = new WsFrameCursor();
      const found: number[] = [];
      let base = 0;
      while (base < stream.length) {
        const chunk = stream.subarray(base, Math.min(stream.length, base + chunkSize));
        // Probe: where is the first boundary in this chunk (a copy of the cursor would be needed
        // to probe without consuming, so consume boundary by boundary instead).
        let pos = 0;
        while (pos <= chunk.length) {
          const rest = chunk.subarray(pos);
          const b = cursor.advance(rest, true);
          if (b < 0) break;
          found.push(base + pos + b);
          if (pos + b >= chunk.length) break;
          // Step over the header byte at the boundary so the next probe finds the next one.
          cursor.advance(rest.subarray(b, b + 1));
          pos += b + 1;
        }
        base += chunk.length;
      }
      expect(new Set(found)).toEqual(boundaries);
      expect(cursor.atBoundary).toBe(true);
    }
  });

  it('reports no boundary inside a frame and one right after it', () => {
    const cursor = new WsFrameCursor();
    const big = frame(1000, false);
    expect(cursor.advance(big.subarray(0, 500), true)).toBe(0); // at a boundary before the frame
    cursor.advance(big.subarray(0, 500));
    expect(cursor.atBoundary).toBe(false);
    expect(cursor.advance(big.subarray(500, 900), true)).toBe(-1);
    expect(cursor.advance(big.subarray(900), true)).toBe(big.length - 900);
    expect(cursor.atBoundary).toBe(true);
  });

  it('builds an unmasked close frame with code and reason', () => {
    const f = serverCloseFrame(1001, 'going away');
    expect(f[0]).toBe(0x88);
    expect(f[1]).toBe(12);
    expect(f.readUInt16BE(2)).toBe(1001);
    expect(f.subarray(4).toString()).toBe('going away');
  });
});
