// The import's Web Worker: detection, the live preview and the streaming read of a whole file
// (importReader.ts), so decoding, parsing and mapping a million rows never block the page.
import { serveRequests } from '../platform/workerHost.ts';
import { createImportReader } from './importReader.ts';
import type { ImportReaderRequest, ImportReaderResponse } from './importReader.ts';

serveRequests<ImportReaderRequest, ImportReaderResponse>(createImportReader());
