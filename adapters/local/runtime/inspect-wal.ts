import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** What a SQLite WAL file would give SQLite on open, read before SQLite touches it. */
export interface WalReport {
  readonly bytes: number;
  /** Frame slots in the file, leftovers of earlier generations included. */
  readonly frames: number;
  /** Index of the first frame whose checksum fails, when a frame of this generation follows it. */
  readonly damagedFrame: number | undefined;
  /** Commits in or after the damaged frame: SQLite stops at the damage and drops them all. */
  readonly commitsDropped: number;
  /** The 32-byte header is unreadable: SQLite ignores the whole file. */
  readonly headerDamaged: boolean;
}

const HEADER = 32;
const FRAME_HEADER = 24;

/**
 * Reads a WAL file as SQLite's recovery does (https://sqlite.org/fileformat2.html#walformat):
 * frames are valid while their salts match the header and their cumulative checksum holds,
 * and SQLite keeps commits only up to the first invalid frame, silently. A frame that fails
 * while later frames of the same generation exist was damaged after it was written: the writes
 * after it were acknowledged and would be lost. A failing last frame is not reported: a
 * process killed in the middle of writing it leaves the same bytes, and that write was never
 * acknowledged.
 */
export function inspectWal(path: string): WalReport {
  const fd = openSync(path, 'r');
  try {
    const bytes = fstatSync(fd).size;
    const none = { bytes, frames: 0, damagedFrame: undefined, commitsDropped: 0, headerDamaged: false };
    if (bytes < HEADER) return none;
    const header = Buffer.alloc(HEADER);
    readSync(fd, header, 0, HEADER, 0);
    const magic = header.readUInt32BE(0);
    const pageSize = header.readUInt32BE(8);
    const validPageSize = pageSize >= 512 && pageSize <= 65536 && (pageSize & (pageSize - 1)) === 0;
    if ((magic !== 0x377f0682 && magic !== 0x377f0683) || !validPageSize) return { ...none, headerDamaged: bytes > HEADER };
    const bigEndian = (magic & 1) === 1;
    const seed = checksum(header.subarray(0, 24), 0, 0, bigEndian);
    if (seed[0] !== header.readUInt32BE(24) || seed[1] !== header.readUInt32BE(28)) return { ...none, headerDamaged: bytes > HEADER };
    const salt1 = header.readUInt32BE(16);
    const salt2 = header.readUInt32BE(20);
    const frameSize = FRAME_HEADER + pageSize;
    const frame = Buffer.alloc(frameSize);
    let previous = seed;
    let frames = 0;
    let firstBad: number | undefined;
    let commitsFromBad = 0;
    let framesAfterBad = 0;
    for (let offset = HEADER; offset + frameSize <= bytes; offset += frameSize, frames++) {
      readSync(fd, frame, 0, frameSize, offset);
      // Frames of an earlier generation (left after a checkpoint reset) have other salts; so has a
      // frame whose salt bytes were damaged, which only a later frame of this generation reveals.
      if (frame.readUInt32BE(8) !== salt1 || frame.readUInt32BE(12) !== salt2) {
        firstBad ??= frames;
        continue;
      }
      const stored: [number, number] = [frame.readUInt32BE(16), frame.readUInt32BE(20)];
      // Seeded with the previous frame's stored checksum, so each frame is judged on its own bytes.
      let sum = checksum(frame.subarray(0, 8), previous[0], previous[1], bigEndian);
      sum = checksum(frame.subarray(FRAME_HEADER), sum[0], sum[1], bigEndian);
      if (firstBad === undefined && (sum[0] !== stored[0] || sum[1] !== stored[1])) firstBad = frames;
      if (firstBad !== undefined) {
        if (frame.readUInt32BE(4) !== 0) commitsFromBad++;
        if (frames > firstBad) framesAfterBad++;
      }
      previous = stored;
    }
    if (firstBad === undefined || framesAfterBad === 0) return { ...none, frames };
    return { bytes, frames, damagedFrame: firstBad, commitsDropped: commitsFromBad, headerDamaged: false };
  } finally {
    closeSync(fd);
  }
}

/** SQLite's WAL checksum: two running 32-bit sums over pairs of 32-bit words. */
function checksum(data: Buffer, s0: number, s1: number, bigEndian: boolean): [number, number] {
  let a = s0;
  let b = s1;
  for (let i = 0; i + 8 <= data.length; i += 8) {
    const x0 = bigEndian ? data.readUInt32BE(i) : data.readUInt32LE(i);
    const x1 = bigEndian ? data.readUInt32BE(i + 4) : data.readUInt32LE(i + 4);
    a = (a + x0 + b) >>> 0;
    b = (b + x1 + a) >>> 0;
  }
  return [a, b];
}
