/**
 * pdfmake's browser build for shared/report/pdf.ts, with the Roboto fonts pdfmake ships
 * (Apache License 2.0) from its virtual file system: nothing is fetched, the fonts are part of the
 * bundle. Loaded only by the report worker.
 */
import pdfMake from 'pdfmake/build/pdfmake';
import vfs from 'pdfmake/build/vfs_fonts';
import type { PdfEngine } from '../../shared/report/pdf.ts';

let ready = false;

export function browserPdfEngine(): PdfEngine {
  if (!ready) {
    pdfMake.addVirtualFileSystem(vfs);
    ready = true;
  }
  return pdfMake as unknown as PdfEngine;
}
