/**
 * A CSV upload as rows. The parser can fail (an unclosed quote is only known at the end) before the
 * import starts reading it — the import first looks up the organization — so its error is caught
 * the moment the parser is made and handed to whoever reads the rows; an unheard stream error would
 * otherwise take the whole process down.
 */
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';

export type SourceRow = { line: number; record: string[] } | { line: number; refused: string[] };

export type CsvSource = { rows: AsyncGenerator<SourceRow>; stop: () => void };

export function readCsv(file: Readable): CsvSource {
  const parser = parse({ bom: true, relax_column_count: true, trim: true, max_record_size: 65_536 });
  let failure: unknown = null;
  parser.on('error', (e) => {
    failure ??= e;
  });
  file.on('error', (e) => parser.destroy(e));
  file.pipe(parser);
  async function* rows(): AsyncGenerator<SourceRow> {
    if (failure) throw failure;
    yield* csvRows(parser);
    if (failure) throw failure;
  }
  return { rows: rows(), stop: () => parser.destroy() };
}

/** A CSV's records with the line each begins on (csv-parse's own count takes a CRLF inside quotes for two lines). */
async function* csvRows(parser: AsyncIterable<string[]>): AsyncGenerator<SourceRow> {
  let nextLine = 1;
  for await (const record of parser) {
    const line = nextLine;
    nextLine += 1 + record.reduce((n, field) => n + (field.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
    // Empty lines are records of one blank field here.
    if (record.length === 1 && record[0] === '') continue;
    yield { line, record };
  }
}
