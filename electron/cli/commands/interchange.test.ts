import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseCaseFile } from '../../../shared/caseFile.ts';
import { createDemoCase } from '../../../shared/demo/demoCase.ts';
import { BUILT_IN_SPECS } from '../../../shared/importer/index.ts';
import { INTERCHANGE_FORMAT_IDS, interchangeFormat } from '../../../shared/interchange/index.ts';
import { exportCommand, importCommand } from './interchange.ts';

const YENTE = new URL(
  '../../../shared/interchange/fixtures/ftm/yente-zala.ftm.jsonl',
  import.meta.url,
);

let dir: string;
let logs: string[];
let errors: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-interchange-'));
  logs = [];
  errors = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
  vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function demoFile(): Promise<string> {
  const path = join(dir, 'demo.json');
  const demo = createDemoCase({ agencyId: 'demo', now: new Date('2026-11-23T00:00:00Z') });
  await writeFile(path, JSON.stringify(demo));
  return path;
}

describe('tessera import', () => {
  it('imports a yente FtM export into a case file and prints what it kept and changed', async () => {
    const out = join(dir, 'CASE.json');
    const code = await importCommand.run([
      '--input',
      YENTE.pathname,
      '--out',
      out,
      '--agency',
      'ro-police',
      '--now',
      '2026-11-23T10:00:00Z',
    ]);
    expect(code).toBe(0);
    const file = parseCaseFile(await readFile(out, 'utf8'));
    expect(file.case.title).toBe('Imported: yente-zala.ftm.jsonl');
    expect(file.entities.filter((entity) => !entity.external?.unresolved)).toHaveLength(91);
    const report = logs.join('\n');
    expect(report).toContain('91 entities and relationships');
    expect(report).toContain('ftm.unresolved-reference');
    expect(report).toContain('ftm.split: 1');
    expect(await readdir(dir)).toEqual(['CASE.json']);
  });

  it('reads the format from the content: GraphML in a .txt file', async () => {
    const demo = await demoFile();
    const graph = join(dir, 'graph.txt');
    expect(await exportCommand.run(['--in', demo, '--format', 'graphml', '--out', graph])).toBe(0);
    const out = join(dir, 'CASE.json');
    expect(await importCommand.run(['--input', graph, '--out', out])).toBe(0);
    expect(logs.at(-1)).toContain('GraphML');
    expect(parseCaseFile(await readFile(out, 'utf8')).entities.length).toBeGreaterThan(100);
  });

  it('says that CSV and XLSX need a specification and the wizard, and writes nothing', async () => {
    const csv = join(dir, 'calls.csv');
    await writeFile(csv, 'caller,callee,start\n+40700,+40701,2026-01-01\n');
    const xlsx = join(dir, 'calls.xlsx');
    await writeFile(xlsx, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]));
    for (const input of [csv, xlsx]) {
      await expect(
        importCommand.run(['--input', input, '--out', join(dir, 'CASE.json')]),
      ).rejects.toMatchObject({ code: 'needs-spec' });
    }
    expect((await readdir(dir)).sort()).toEqual(['calls.csv', 'calls.xlsx']);
  });

  it('fails cleanly on bad arguments', async () => {
    expect(await importCommand.run([])).toBe(2);
    expect(await importCommand.run(['--input', 'x'])).toBe(2);
    expect(await importCommand.run(['--input', 'x', '--out', 'y', '--bogus', 'z'])).toBe(2);
    expect(errors.join('\n')).toContain('usage: tessera import');
  });
});

describe('tessera export', () => {
  it('writes every registered format from a case file', async () => {
    const demo = await demoFile();
    for (const [format, marker] of [
      ['ftm', '"schema"'],
      ['graphml', '<graphml'],
      ['gexf', '<gexf'],
      ['cyjs', '"elements"'],
    ] as const) {
      const out = join(dir, `out.${format}`);
      expect(await exportCommand.run(['--in', demo, '--format', format, '--out', out])).toBe(0);
      expect(await readFile(out, 'utf8')).toContain(marker);
    }
  });

  it('says when a format is not available, and refuses unknown ones', async () => {
    const demo = await demoFile();
    const out = join(dir, 'out.xml');
    // anx and stix until their part registers them.
    for (const id of INTERCHANGE_FORMAT_IDS.filter((format) => !interchangeFormat(format))) {
      await expect(
        exportCommand.run(['--in', demo, '--format', id, '--out', out]),
      ).rejects.toMatchObject({ code: 'not-available' });
    }
    expect(await exportCommand.run(['--in', demo, '--format', 'pdf', '--out', out])).toBe(2);
    expect(await readdir(dir)).toEqual(['demo.json']);
  });
});

describe('tessera import --spec (CSV and TSV through the import engine)', () => {
  const FIXTURES = new URL('../../../shared/importer/fixtures/', import.meta.url);

  it('imports the sample call records with the built-in cdr specification', async () => {
    const out = join(dir, 'CASE.json');
    const input = new URL('cdr.csv', FIXTURES).pathname;
    const code = await importCommand.run([
      '--input',
      input,
      '--spec',
      'cdr',
      '--case-title',
      'Calls',
      '--out',
      out,
      '--now',
      '2026-11-23T10:00:00Z',
    ]);
    expect(code).toBe(0);
    const file = parseCaseFile(await readFile(out, 'utf8'));
    expect(file.case.title).toBe('Calls');
    expect(file.entities.filter((e) => e.schema === 'Phone')).toHaveLength(3);
    const calls = file.entities.filter((e) => e.schema === 'Call');
    expect(calls).toHaveLength(5);
    expect(calls[0]!.provenance.imported).toMatchObject({
      fileName: 'cdr.csv',
      row: 2,
      spec: 'cdr',
      specVersion: 1,
    });
    expect(calls[0]!.provenance.imported!.fileSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(logs.join('\n')).toContain('5 rows: 5 imported, 0 excluded, 0 rejected');
    expect(await readdir(dir)).toEqual(['CASE.json']);
  });

  it('skips bad rows into CASE.json.rejects.csv and says why', async () => {
    const input = join(dir, 'calls.tsv');
    await writeFile(
      input,
      'caller\tcallee\tstart\tduration\tcell_id\n+43 664 1234567\t+40 721 555 010\t2024-03-05 08:15:02\tabc\tX\n+43 664 1234567\t+40 721 555 010\t2024-03-05 08:16:02\t10\tX\n',
    );
    const out = join(dir, 'CASE.json');
    expect(await importCommand.run(['--input', input, '--spec', 'cdr', '--out', out])).toBe(0);
    expect(parseCaseFile(await readFile(out, 'utf8')).entities).toHaveLength(3);
    const rejects = await readFile(`${out}.rejects.csv`, 'utf8');
    expect(rejects.split('\r\n')[1]).toContain(`2,duration,"'abc' is not a duration`);
    expect(logs.join('\n')).toContain('row 2, column duration:');
  });

  it('reads a specification file, and says where it is wrong', async () => {
    const specPath = join(dir, 'mine.json');
    await writeFile(specPath, JSON.stringify({ ...BUILT_IN_SPECS.bank, name: 'mine', version: 3 }));
    const out = join(dir, 'CASE.json');
    const input = new URL('bank.csv', FIXTURES).pathname;
    expect(await importCommand.run(['--input', input, '--spec', specPath, '--out', out])).toBe(0);
    const file = parseCaseFile(await readFile(out, 'utf8'));
    expect(file.entities[0]!.provenance.imported).toMatchObject({ spec: 'mine', specVersion: 3 });

    await writeFile(
      specPath,
      JSON.stringify({
        ...BUILT_IN_SPECS.bank,
        source: { kind: 'delimited', timeZone: 'Nowhere' },
      }),
    );
    await expect(
      importCommand.run(['--input', input, '--spec', specPath, '--out', join(dir, 'B.json')]),
    ).rejects.toMatchObject({
      code: 'spec.invalid',
      path: 'source.timeZone',
    });
    await expect(
      importCommand.run(['--input', input, '--spec', 'nonesuch', '--out', join(dir, 'B.json')]),
    ).rejects.toMatchObject({
      code: 'needs-spec',
    });
    expect((await readdir(dir)).sort()).toEqual(['CASE.json', 'mine.json']);
  });
});
