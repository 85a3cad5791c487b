/**
 * Reads one node's journal (format: src/contract/journalFormat.ts) from its segment files,
 * already loaded into memory, into incarnations of records. Pure: the files come from the
 * thin adapter in runFiles.ts.
 *
 * Each incarnation's last segment may end in a torn record (the process was killed while
 * writing): it is cut and reported in `torn`, never decoded. Damage anywhere else throws
 * `JournalCorruptionError` naming the file and byte offset.
 */
import {
  decodeJournalRecord,
  JournalFormatError,
  parseSegmentFileName,
  scanJournalSegment,
  type JournalRecord,
} from '../contract/journalFormat';

export interface SegmentFile {
  name: string;
  bytes: Uint8Array;
}

export interface Incarnation {
  incarnation: number;
  /** Every record, the Start record first. */
  records: JournalRecord[];
  /** Where a torn tail was cut, if one was. */
  torn?: { file: string; offset: number; reason: string };
}

export interface NodeJournal {
  incarnations: Incarnation[];
  /** Bytes read, framing included. */
  bytes: number;
}

/** Splits segment files into incarnations, in order. Files whose names are not segments are skipped. */
export function readNodeJournal(files: readonly SegmentFile[]): NodeJournal {
  const byIncarnation = new Map<number, Array<{ segment: number; file: SegmentFile }>>();
  let bytes = 0;
  for (const file of files) {
    const p = parseSegmentFileName(file.name);
    if (!p) continue;
    bytes += file.bytes.length;
    let list = byIncarnation.get(p.incarnation);
    if (!list) byIncarnation.set(p.incarnation, (list = []));
    list.push({ segment: p.segment, file });
  }
  const incarnations: Incarnation[] = [];
  for (const inc of [...byIncarnation.keys()].sort((a, b) => a - b)) {
    const segments = byIncarnation.get(inc)!.sort((a, b) => a.segment - b.segment);
    const records: JournalRecord[] = [];
    let torn: Incarnation['torn'];
    segments.forEach(({ file }, i) => {
      const scan = scanJournalSegment(file.bytes, file.name, i === segments.length - 1);
      if (scan.torn) torn = { file: file.name, ...scan.torn };
      for (const payload of scan.payloads) {
        try {
          records.push(decodeJournalRecord(payload));
        } catch (err) {
          // The checksum says these are the bytes written: a record that does not decode is a
          // writer bug or another version, reported with where it is.
          throw new JournalFormatError(`${file.name}: record ${records.length + 1}: ${(err as Error).message}`);
        }
      }
    });
    if (records.length === 0) continue; // killed before its first flush
    if (records[0].kind !== 'start') throw new JournalFormatError(`incarnation ${inc}: first record is ${records[0].kind}, not start`);
    incarnations.push({ incarnation: inc, records, torn });
  }
  return { incarnations, bytes };
}
