// Web Worker finding duplicate candidates for big cases, so the page stays responsive.
import { findDuplicateCandidates } from '../../shared/resolution/candidates.ts';
import type { CandidateOptions, DuplicateCandidate } from '../../shared/resolution/candidates.ts';
import type { FtmEntity } from '../../shared/search/types.ts';
import { serveRequests } from '../platform/workerHost.ts';

export interface DuplicatesRequest {
  readonly entities: FtmEntity[];
  readonly options?: CandidateOptions | undefined;
}

serveRequests<DuplicatesRequest, DuplicateCandidate[]>((request) =>
  findDuplicateCandidates(request.entities, request.options),
);
