import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { readCsv } from './csv.js';

async function collect(rows: AsyncIterable<unknown>) {
  const out: unknown[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

describe('reading a CSV upload', () => {
  it('numbers rows by the line they begin on, a quoted line break included', async () => {
    const { rows } = readCsv(Readable.from(['Name,Note\r\n', 'A,"two\r\nlines"\r\n', '\r\n', 'B,x\r\n']));
    expect(await collect(rows)).toEqual([
      { line: 1, record: ['Name', 'Note'] },
      { line: 2, record: ['A', 'two\r\nlines'] },
      { line: 5, record: ['B', 'x'] },
    ]);
  });

  it('hands a parse error that happens before anyone reads to the reader, not to the process', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.prependListener('uncaughtException', onUncaught);
    try {
      const { rows } = readCsv(Readable.from(['Name,Phone\r\n"Unclosed,(415) 555-0330\r\n']));
      await sleep(50); // the import looks things up before it reads: the parser has finished by now
      await expect(collect(rows)).rejects.toMatchObject({ code: 'CSV_QUOTE_NOT_CLOSED' });
    } finally {
      process.removeListener('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
  });
});
