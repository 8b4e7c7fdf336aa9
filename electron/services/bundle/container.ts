/**
 * The container inside the age payload (plaintext):
 *
 *   container = magic "tessera-bundle/1\n" *part end
 *   part      = 0x50 ('P') u16be(name length) name *segment u32be(0)
 *   segment   = u32be(length, 1..1 MiB) bytes
 *   end       = 0x45 ('E'), and nothing after it
 *
 * Segments let a part of unknown length (a stream) be written without buffering it; the reader
 * never holds more than one read block. Sizes and hashes of the parts are in the manifest part,
 * which comes after the data parts so that the sealer can hash while it streams.
 */
import {
  BUNDLE_LIMITS,
  CONTAINER_END_TAG,
  CONTAINER_MAGIC,
  CONTAINER_PART_TAG,
} from '../../../shared/exchange/bundleFormat.ts';
import { BundleError } from './errors.ts';

export const MAGIC = Buffer.from(CONTAINER_MAGIC, 'latin1');

export function partHeader(name: string): Buffer {
  const bytes = Buffer.from(name, 'utf8');
  const out = Buffer.allocUnsafe(3 + bytes.length);
  out[0] = CONTAINER_PART_TAG;
  out.writeUInt16BE(bytes.length, 1);
  bytes.copy(out, 3);
  return out;
}

export function segmentHeader(length: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(length, 0);
  return out;
}

export const PART_END = Buffer.alloc(4);
export const CONTAINER_END = Buffer.from([CONTAINER_END_TAG]);

export interface ContainerHandler {
  partStart(name: string): void;
  /** `data` may be a view into a buffer that is reused: copy or consume it now. */
  partData(data: Buffer): void;
  partEnd(): void;
}

type State = 'magic' | 'tag' | 'nameLength' | 'name' | 'segmentLength' | 'segment' | 'end';

/** Push parser: feed plaintext in any slices; it calls the handler and checks the framing. */
export class ContainerParser {
  private state: State = 'magic';
  private readonly small = Buffer.allocUnsafe(
    Math.max(MAGIC.length, BUNDLE_LIMITS.maxPartNameBytes, 4),
  );
  private smallFilled = 0;
  private need = MAGIC.length;
  private parts = 0;

  constructor(private readonly handler: ContainerHandler) {}

  private fail(message: string): never {
    throw new BundleError('malformed', `bundle container: ${message}`);
  }

  update(data: Buffer): void {
    let offset = 0;
    while (offset < data.length) {
      if (this.state === 'end') this.fail('data after the end marker');
      if (this.state === 'segment') {
        const n = Math.min(this.need, data.length - offset);
        this.handler.partData(data.subarray(offset, offset + n));
        offset += n;
        this.need -= n;
        if (this.need === 0) this.expect('segmentLength', 4);
        continue;
      }
      const n = Math.min(this.need - this.smallFilled, data.length - offset);
      data.copy(this.small, this.smallFilled, offset, offset + n);
      this.smallFilled += n;
      offset += n;
      if (this.smallFilled === this.need) this.field(this.small.subarray(0, this.need));
    }
  }

  private expect(state: State, bytes: number): void {
    this.state = state;
    this.need = bytes;
    this.smallFilled = 0;
  }

  private field(value: Buffer): void {
    switch (this.state) {
      case 'magic':
        if (!value.equals(MAGIC)) this.fail('not a Tessera bundle container');
        this.expect('tag', 1);
        return;
      case 'tag':
        if (value[0] === CONTAINER_END_TAG) {
          this.expect('end', 0);
        } else if (value[0] === CONTAINER_PART_TAG) {
          if (++this.parts > BUNDLE_LIMITS.maxParts) {
            throw new BundleError(
              'too-large',
              `bundle has more than ${BUNDLE_LIMITS.maxParts} parts`,
            );
          }
          this.expect('nameLength', 2);
        } else {
          this.fail('unknown record tag');
        }
        return;
      case 'nameLength': {
        const length = value.readUInt16BE(0);
        if (length === 0 || length > BUNDLE_LIMITS.maxPartNameBytes)
          this.fail('part name length out of range');
        this.expect('name', length);
        return;
      }
      case 'name':
        this.handler.partStart(value.toString('utf8'));
        this.expect('segmentLength', 4);
        return;
      case 'segmentLength': {
        const length = value.readUInt32BE(0);
        if (length === 0) {
          this.handler.partEnd();
          this.expect('tag', 1);
        } else if (length > BUNDLE_LIMITS.maxSegmentBytes) {
          throw new BundleError('too-large', `bundle segment of ${length} bytes exceeds the limit`);
        } else {
          this.state = 'segment';
          this.need = length;
        }
        return;
      }
      default:
        this.fail('internal parser state');
    }
  }

  final(): void {
    if (this.state !== 'end') {
      throw new BundleError('truncated', 'bundle container ends before its end marker');
    }
  }
}
