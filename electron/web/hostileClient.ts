/**
 * A deliberately badly behaved WebSocket client for the web host's attack tests and frame fuzzer:
 * it speaks RFC 6455 over a raw TCP socket so it can send what no well-behaved library would
 * (unmasked client frames, reserved opcodes, RSV bits, lying length headers, bad close codes,
 * invalid UTF-8), and it reads the server's frames back so a test can check the close code.
 *
 * Frame layout (RFC 6455 §5.2): byte 0 = FIN | RSV1-3 | opcode; byte 1 = MASK | 7-bit length
 * (126: 16-bit length follows, 127: 64-bit length follows); then the 4-byte mask key when MASK is
 * set; then the payload, XORed with the mask key.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export const OPCODE = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

export interface FrameSpec {
  readonly opcode: number;
  readonly payload?: Uint8Array;
  /** Defaults to true. */
  readonly fin?: boolean;
  /** RSV1..RSV3 as the three bits 0b100, 0b010, 0b001. */
  readonly rsv?: number;
  /** Client frames must be masked; false sends an unmasked one. Defaults to true. */
  readonly masked?: boolean;
  /** Announce this length instead of the payload's (a lying header). */
  readonly announcedLength?: bigint;
}

export function encodeFrame(spec: FrameSpec): Buffer {
  const payload = Buffer.from(spec.payload ?? new Uint8Array(0));
  const masked = spec.masked ?? true;
  const length = spec.announcedLength ?? BigInt(payload.length);
  const first = ((spec.fin ?? true) ? 0x80 : 0) | (((spec.rsv ?? 0) & 7) << 4) | (spec.opcode & 15);
  let header: Buffer;
  if (length < 126n) {
    header = Buffer.from([first, (masked ? 0x80 : 0) | Number(length)]);
  } else if (length < 65536n) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = (masked ? 0x80 : 0) | 126;
    header.writeUInt16BE(Number(length), 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = (masked ? 0x80 : 0) | 127;
    header.writeBigUInt64BE(length, 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  const body = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) body[i] = payload[i]! ^ key[i & 3]!;
  return Buffer.concat([header, key, body]);
}

export function textFrame(text: string): Buffer {
  return encodeFrame({ opcode: OPCODE.text, payload: Buffer.from(text, 'utf8') });
}

export function closeFrame(code: number, reason = ''): Buffer {
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2);
  return encodeFrame({ opcode: OPCODE.close, payload });
}

export interface ServerFrame {
  readonly opcode: number;
  readonly payload: Buffer;
}

/** Splits what the server sent into frames; an incomplete last frame is left out. */
export function decodeServerFrames(data: Buffer): ServerFrame[] {
  const frames: ServerFrame[] = [];
  let at = 0;
  while (at + 2 <= data.length) {
    const opcode = data[at]! & 15;
    let length = data[at + 1]! & 127;
    let offset = at + 2;
    if (length === 126) {
      if (offset + 2 > data.length) break;
      length = data.readUInt16BE(offset);
      offset += 2;
    } else if (length === 127) {
      if (offset + 8 > data.length) break;
      length = Number(data.readBigUInt64BE(offset));
      offset += 8;
    }
    if (offset + length > data.length) break;
    frames.push({ opcode, payload: data.subarray(offset, offset + length) });
    at = offset + length;
  }
  return frames;
}

export interface RawRpcSocket {
  readonly socket: Socket;
  /** Writes bytes; resolves when they are handed to the kernel (or the socket is gone). */
  write(bytes: Uint8Array): Promise<void>;
  /** Everything the server sent after the handshake, as frames. */
  frames(): ServerFrame[];
  /** The text messages the server sent. */
  texts(): string[];
  /**
   * The server's close code: resolves once a close frame arrives or the TCP connection ends
   * (null: it ended without a close frame).
   */
  closed(timeoutMs?: number): Promise<number | null>;
  destroy(): void;
}

export interface RawTarget {
  readonly port: number;
  readonly token: string;
  readonly origin: string;
}

/** Opens `/rpc` with a valid handshake (token, Origin, Host) on a raw socket. */
export function openRawRpc(target: RawTarget): Promise<RawRpcSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: target.port });
    let received = Buffer.alloc(0);
    let upgraded = false;
    let ended = false;
    const endWaiters: (() => void)[] = [];
    socket.on('error', () => undefined);
    socket.on('close', () => {
      ended = true;
      for (const wake of endWaiters.splice(0)) wake();
      if (!upgraded) reject(new Error('connection closed during the handshake'));
    });
    const closeFrameIn = () =>
      decodeServerFrames(received).some((frame) => frame.opcode === OPCODE.close);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (upgraded) {
        if (closeFrameIn()) for (const wake of endWaiters.splice(0)) wake();
        return;
      }
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = received.subarray(0, end).toString('latin1');
      received = received.subarray(end + 4);
      if (!head.startsWith('HTTP/1.1 101')) {
        socket.destroy();
        reject(new Error(`handshake refused: ${head.split('\r\n')[0]}`));
        return;
      }
      upgraded = true;
      const raw: RawRpcSocket = {
        socket,
        write: (bytes) =>
          new Promise((done) => {
            if (socket.destroyed || !socket.writable) return done();
            socket.write(bytes, () => done());
          }),
        frames: () => decodeServerFrames(received),
        texts: () =>
          decodeServerFrames(received)
            .filter((frame) => frame.opcode === OPCODE.text)
            .map((frame) => frame.payload.toString('utf8')),
        closed: (timeoutMs = 10_000) =>
          new Promise((done, fail) => {
            const settle = () => {
              clearTimeout(timer);
              const close = decodeServerFrames(received).find((f) => f.opcode === OPCODE.close);
              done(close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : null);
            };
            const timer = setTimeout(
              () => fail(new Error(`the server kept the connection open for ${timeoutMs} ms`)),
              timeoutMs,
            );
            if (ended || closeFrameIn()) settle();
            else endWaiters.push(settle);
          }),
        destroy: () => socket.destroy(),
      };
      resolve(raw);
    });
    socket.once('connect', () => {
      socket.write(
        `GET /rpc?token=${encodeURIComponent(target.token)} HTTP/1.1\r\n` +
          `Host: 127.0.0.1:${target.port}\r\n` +
          `Origin: ${target.origin}\r\n` +
          'Upgrade: websocket\r\n' +
          'Connection: Upgrade\r\n' +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
          'Sec-WebSocket-Version: 13\r\n\r\n',
      );
    });
  });
}
