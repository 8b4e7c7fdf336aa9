/**
 * The report worker: builds the report (shared/report, release policy and second check included)
 * and writes it as PDF, DOCX or XLSX off the page's main thread; a large case takes seconds. A
 * refusal (ReportError) reaches the dialog with its code as the WorkerCallError's `reason`.
 */
import { buildReport } from '../../shared/report/build.ts';
import { REPORT_MEDIA_TYPES, reportFileName, writeReport } from '../../shared/report/write.ts';
import { serveRequests } from '../platform/workerHost.ts';
import { browserPdfEngine } from './pdfEngine.ts';
import type { ReportRequest, ReportResult } from './reportProtocol.ts';

serveRequests<ReportRequest, ReportResult>(
  async ({ input, options, format }) => {
    const doc = buildReport(input, options);
    const bytes = await writeReport(doc, format, browserPdfEngine());
    return {
      bytes,
      fileName: reportFileName(doc, format),
      mediaType: REPORT_MEDIA_TYPES[format],
      summary: `${doc.title} — ${doc.audience}`,
    };
  },
  { transferOf: (result) => [result.bytes.buffer as ArrayBuffer] },
);
