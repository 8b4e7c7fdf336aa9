/**
 * pdfmake for Node, as shared/report/pdf.ts wants it: the Roboto fonts that ship with pdfmake
 * (Apache License 2.0) read from its own folder, and no network and no other file at all: the
 * access policies refuse every URL and every path outside pdfmake's font folder, so a report
 * can never make pdfmake fetch or read anything.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { PdfEngine } from '../../../shared/report/pdf.ts';

const require = createRequire(import.meta.url);

interface NodePdfmake extends PdfEngine {
  setFonts(fonts: Record<string, Record<string, string>>): void;
  setUrlAccessPolicy(policy: (url: string) => boolean): void;
  setLocalAccessPolicy(policy: (file: string) => boolean): void;
}

let engine: PdfEngine | undefined;

/** The one pdfmake instance of this process, set up on first use. */
export function nodePdfEngine(): PdfEngine {
  if (engine) return engine;
  const pdfmake = require('pdfmake') as NodePdfmake;
  const fontDir = path.join(
    path.dirname(require.resolve('pdfmake/package.json')),
    'fonts',
    'Roboto',
  );
  const font = (name: string): string => path.join(fontDir, name);
  pdfmake.setFonts({
    Roboto: {
      normal: font('Roboto-Regular.ttf'),
      bold: font('Roboto-Medium.ttf'),
      italics: font('Roboto-Italic.ttf'),
      bolditalics: font('Roboto-MediumItalic.ttf'),
    },
  });
  pdfmake.setUrlAccessPolicy(() => false);
  pdfmake.setLocalAccessPolicy((file) => path.resolve(file).startsWith(fontDir + path.sep));
  engine = pdfmake;
  return engine;
}
