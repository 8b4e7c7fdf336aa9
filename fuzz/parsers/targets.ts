/**
 * Fuzz targets: every parser that reads input from outside the agency, with valid seeds to mutate
 * and the one error type (and code) each documents. Anything else thrown is a crash; an input
 * that takes longer than the per-input limit is a hang; a rejected bundle that leaves a file in
 * the temporary or output folder is a partial write.
 *
 * Seeds are real: a bundle sealed by `sealBundle` with an attachment (its ciphertext, and its
 * decrypted container, manifest and operations parts), the demo case, its FtM lines, an identity
 * card and a sharing agreement.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Decrypter } from 'age-encryption';
import { caseFileRecords, parseCaseFile } from '../../shared/caseFile.ts';
import type { CaseFile } from '../../shared/caseFile.ts';
import { createDemoCase } from '../../shared/demo/demoCase.ts';
import { parseSharingAgreement } from '../../shared/exchange/agreement.ts';
import { parseBundleManifest, parseIdentityCard } from '../../shared/exchange/bundleFormat.ts';
import {
  operationsSince,
  parseOperations,
  serializeOperations,
} from '../../shared/exchange/operations.ts';
import { exportFtmLines, importFtm } from '../../shared/interchange/ftmLines.ts';
import { INTERCHANGE_FORMATS, InterchangeError } from '../../shared/interchange/index.ts';
import { ContainerParser } from '../../electron/services/bundle/container.ts';
import { containerParts } from '../containerParts.ts';
import { BundleError } from '../../electron/services/bundle/errors.ts';
import { openBundle } from '../../electron/services/bundle/open.ts';
import { sealBundle } from '../../electron/services/bundle/seal.ts';
import { makeAgency, sealRaw } from '../../electron/services/bundle/fixtures/testSupport.ts';
import { IdentityError, verifyCard } from '../../electron/services/identity/cards.ts';
import { exportAgeSecretKey } from '../../electron/services/identity/store.ts';
import { AGREEMENTS, scratchDir } from '../canary/harness.ts';
import { PARTNER_ONE } from '../canary/plan.ts';
import { importEngineTarget } from './importTarget.ts';
import { Random } from './mutate.ts';
import { fuzzEnvelope, fuzzFrames } from '../../electron/web/fixtures/envelopeFuzz.ts';

export interface TargetContext {
  readonly root: string;
  /** Where a run may write; checked for leftovers after each rejected bundle. */
  readonly tmp: string;
}

export interface Target {
  readonly name: string;
  /** Seeds are JSON text: JSON-structure mutations apply. */
  readonly json: boolean;
  readonly seeds: readonly Buffer[];
  /** Runs one input; resolves or throws. */
  run(input: Buffer, index: number): void | Promise<void>;
  /** Whether a thrown value is the target's documented rejection. */
  accepts(error: unknown): boolean;
  /** Files or folders left behind by the last input (0 partial writes), where that applies. */
  leftovers?(): Promise<string[]>;
  /**
   * Optional: the fraction of the run's inputs this target takes, for a target whose every input
   * runs a whole pipeline (the import engine) and would otherwise set the run's length.
   */
  readonly share?: number;
  /** Optional: the target runs its own loop (the WebSocket envelope of the web host). */
  readonly external?: (count: number, seed: number) => Promise<{ crashes: number; inputs: number }>;
}

/** A plain `Error` naming the problem (what the shared parsers document), not a runtime fault. */
function isPlainError(error: unknown): boolean {
  return error instanceof Error && error.constructor === Error;
}

function parts(container: Buffer): Map<string, Buffer> {
  return new Map(containerParts(container).map((part) => [part.name, part.data]));
}

/** A smaller demo case (parsing 180 entities 10,000 times would measure zod, not find bugs). */
function smallDemo(): CaseFile {
  const demo = createDemoCase({ agencyId: 'own-agency', now: new Date('2024-05-01T10:00:00Z') });
  const entities = demo.entities.slice(0, 24);
  const ids = new Set(entities.map((e) => e.id));
  return {
    ...demo,
    entities,
    notes: demo.notes.slice(0, 3),
    attachments: demo.attachments.slice(0, 1).map((a) => ({ ...a, contentBase64: 'AAEC' })),
    notices: demo.notices.slice(0, 2),
    charts: demo.charts.slice(0, 1).map((c) => ({
      ...c,
      nodes: Object.fromEntries(Object.entries(c.nodes).filter(([id]) => ids.has(id))),
    })),
  };
}

async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/** Builds every target with its seeds. `close()` removes the working folder. */
export async function buildTargets(): Promise<{ targets: Target[]; close(): Promise<void> }> {
  const root = await mkdtemp(path.join(await scratchDir(), 'tessera-fuzz-'));
  const sender = await makeAgency(root, 'Fuzz Sender');
  const recipient = await makeAgency(root, 'Fuzz Recipient');
  const demo = smallDemo();
  const records = caseFileRecords(demo);
  const operationsText = serializeOperations(
    demo.case.id,
    operationsSince(records, null, { agency: 'own-agency' }),
  );
  const bundlePath = path.join(root, 'seed.tessera');
  const sealed = await sealBundle({
    identity: sender.identity,
    recipients: [recipient.card],
    manifestFields: {
      caseId: demo.case.id,
      policyVersion: 'fuzz-seed',
      chain: { [recipient.card.agencyId]: { sequence: 1, previousBundleDigest: null } },
    },
    operations: Buffer.from(operationsText),
    attachments: [
      { name: 'att-000001', label: 'photo', bytes: Buffer.from('attachment bytes '.repeat(50)) },
      { name: 'att-000002', bytes: new Uint8Array(0) },
    ],
    out: bundlePath,
  });
  const bundleBytes = await readFile(bundlePath);
  // Format 1 (one payload hash, no block list; bundles sealed before issue 13 still open): a
  // streamed part, which has no length in advance, is still sealed that way.
  const bundle1Path = path.join(root, 'seed-format1.tessera');
  await sealBundle({
    identity: sender.identity,
    recipients: [recipient.card],
    manifestFields: { caseId: demo.case.id, policyVersion: 'fuzz-seed' },
    operations: Buffer.from(operationsText),
    attachments: [{ name: 'att-000001', stream: Readable.from([Buffer.from('streamed bytes')]) }],
    out: bundle1Path,
  });
  const bundle1Bytes = await readFile(bundle1Path);
  const decrypter = new Decrypter();
  decrypter.addIdentity(exportAgeSecretKey(recipient.identity));
  const container = Buffer.from(await decrypter.decrypt(bundleBytes));
  const containerParts = parts(container);
  const manifestText = containerParts.get('manifest.json')!;
  const cardText = Buffer.from(JSON.stringify(sender.card, null, 2));
  const agreementText = Buffer.from(JSON.stringify(AGREEMENTS[PARTNER_ONE], null, 2));
  const tmp = path.join(root, 'tmp');
  const outRoot = path.join(root, 'out');
  const inRoot = path.join(root, 'in');
  await mkdir(tmp, { recursive: true });
  await mkdir(outRoot, { recursive: true });
  await mkdir(inRoot, { recursive: true });

  const text = (input: Buffer): string => input.toString('utf8');

  /** Opens a bundle made from each input; a rejection must leave nothing in TMPDIR or the output. */
  const openTarget = (
    name: string,
    seeds: readonly Buffer[],
    write: (input: Buffer, file: string) => Promise<void>,
  ): Target => ({
    name,
    json: false,
    seeds,
    async run(input, index) {
      const file = path.join(inRoot, `input-${index}.tessera`);
      await write(input, file);
      const outDir = index % 2 === 0 ? path.join(outRoot, `out-${index}`) : undefined;
      const previous = process.env.TMPDIR;
      process.env.TMPDIR = tmp;
      try {
        const opened = await openBundle(file, recipient.identity, sender.card, outDir);
        await opened.dispose();
        // An input that still opens (a mutation that changed nothing that matters) wrote its
        // attachments as the output it is: that is no partial write, so it goes.
        if (outDir) await rm(outDir, { recursive: true, force: true });
      } finally {
        if (previous === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = previous;
        await rm(file, { force: true });
      }
    },
    accepts: (error) => error instanceof BundleError,
    async leftovers() {
      const left: string[] = [];
      for (const entry of await entries(tmp)) {
        left.push(path.join('TMPDIR', entry));
        await rm(path.join(tmp, entry), { recursive: true, force: true });
      }
      for (const entry of await entries(outRoot)) {
        const full = path.join(outRoot, entry);
        if (entry.startsWith('out-')) {
          for (const child of await entries(full)) left.push(path.join(entry, child));
        } else {
          left.push(entry);
        }
        await rm(full, { recursive: true, force: true });
      }
      return left;
    },
  });

  const targets: Target[] = [
    {
      name: 'bundle container',
      json: false,
      seeds: [container],
      run(input, index) {
        let held = 0;
        const parser = new ContainerParser({
          partStart() {},
          partData(data) {
            held += data.length;
          },
          partEnd() {},
        });
        // Feed in uneven slices, as blocks arrive from the decryptor.
        const random = new Random(index);
        for (let at = 0; at < input.length;) {
          const size = 1 + random.below(random.chance(0.5) ? 7 : 70_000);
          parser.update(input.subarray(at, at + size));
          at += size;
        }
        parser.final();
        void held;
      },
      accepts: (error) => error instanceof BundleError,
    },
    {
      name: 'bundle manifest',
      json: true,
      seeds: [manifestText],
      run: (input) => void parseBundleManifest(text(input)),
      accepts: isPlainError,
    },
    {
      name: 'operations',
      json: true,
      seeds: [Buffer.from(operationsText), containerParts.get('operations')!],
      run: (input) => void parseOperations(text(input)),
      accepts: isPlainError,
    },
    {
      name: 'case file',
      json: true,
      seeds: [Buffer.from(JSON.stringify(demo))],
      run: (input) => void parseCaseFile(text(input)),
      accepts: isPlainError,
    },
    {
      name: 'FtM lines',
      json: false,
      seeds: [
        Buffer.from(exportFtmLines(demo)),
        Buffer.from(
          JSON.stringify(
            demo.entities
              .slice(0, 5)
              .map((e) => ({ id: e.id, schema: e.schema, properties: e.properties })),
          ),
        ),
      ],
      // The whole import (tolerant reading, re-keying, the case-file check), not just the reader.
      run: (input) =>
        void importFtm(text(input), {
          caseTitle: 'fuzz',
          now: '2026-01-01T00:00:00Z',
          userName: 'fuzz',
          agencyId: 'fuzz',
        }),
      accepts: (error) => error instanceof InterchangeError,
    },
    // Every other interchange reader (GraphML, GEXF, ANX, STIX, Cytoscape JSON), seeded with its
    // own export of the demo case: the whole import, as the app and `tessera import` run it.
    ...INTERCHANGE_FORMATS.filter((format) => format.id !== 'ftm').map((format) => ({
      name: `${format.label} import`,
      json: format.id === 'stix' || format.id === 'cyjs',
      seeds: [Buffer.from(format.exportText(demo))],
      run: (input: Buffer) =>
        void format.importText(text(input), {
          caseTitle: 'fuzz',
          now: '2026-01-01T00:00:00Z',
          userName: 'fuzz',
          agencyId: 'fuzz',
        }),
      accepts: (error: unknown) => error instanceof InterchangeError,
    })),
    {
      name: 'partner card',
      json: true,
      seeds: [cardText],
      run(input) {
        const card = parseIdentityCard(text(input));
        verifyCard(card);
      },
      accepts: (error) => isPlainError(error) || error instanceof IdentityError,
    },
    {
      name: 'sharing agreement',
      json: true,
      seeds: [agreementText],
      run(input) {
        let json: unknown;
        try {
          json = JSON.parse(text(input));
        } catch (error) {
          // The caller's own JSON.parse: a SyntaxError is its documented rejection.
          if (error instanceof SyntaxError) throw new Error('not JSON');
          throw error;
        }
        parseSharingAgreement(json);
      },
      accepts: isPlainError,
    },
    openTarget('bundle file (openBundle)', [bundleBytes, bundle1Bytes], (input, file) =>
      writeFile(file, input),
    ),
    // A malicious but trusted sender: a mutated container, validly encrypted and signed, reaches
    // the container and manifest checks behind the signature.
    openTarget('signed bundle container (openBundle)', [container], (input, file) =>
      sealRaw({
        plaintext: input,
        // The partner and the sender's own archive key, as sealBundle addresses every bundle.
        recipients: [recipient.card, sender.card],
        signer: sender.identity,
        bundleId: sealed.bundleId,
        out: file,
      }),
    ),
  ];
  targets.push(importEngineTarget());
  targets.push(...webSocketEnvelopeTargets());
  return {
    targets,
    async close() {
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * The WebSocket envelope of the web host: generated and mutated `{id, method, input}` texts through
 * `parseRpcRequest` and dispatch (electron/web/envelopeFuzz.ts), then mutated frames over real
 * sockets against an in-process host, which must still answer afterwards.
 */
function webSocketEnvelopeTargets(): Target[] {
  const external = (
    name: string,
    fuzz: (count: number, seed: number) => Promise<{ crashes: number; inputs: number }>,
  ): Target => ({
    name,
    json: true,
    seeds: [],
    run() {},
    accepts: () => true,
    external: fuzz,
  });
  return [
    external('WebSocket envelope', fuzzEnvelope),
    // Frames cost a socket round trip each: a tenth of the inputs keeps the run inside CI's time.
    external('WebSocket frames', (count, seed) =>
      fuzzFrames(Math.max(1, Math.ceil(count / 10)), seed),
    ),
  ];
}
