// Web Worker finding duplicate candidates for big cases, so the page stays responsive.
import { findDuplicateCandidates } from '../../shared/resolution/candidates.ts';
import type { CandidateOptions, DuplicateCandidate } from '../../shared/resolution/candidates.ts';
import type { FtmEntity } from '../../shared/search/types.ts';
import { errorMessage } from '../../shared/base/errors.ts';

export interface DuplicatesRequest {
  readonly entities: FtmEntity[];
  readonly options?: CandidateOptions;
}

export type DuplicatesResponse =
  | { readonly ok: true; readonly candidates: DuplicateCandidate[] }
  | { readonly ok: false; readonly error: string };

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<DuplicatesRequest>) => void) | null;
  postMessage(message: DuplicatesResponse): void;
};

scope.onmessage = (event) => {
  try {
    const candidates = findDuplicateCandidates(event.data.entities, event.data.options);
    scope.postMessage({ ok: true, candidates });
  } catch (error) {
    scope.postMessage({ ok: false, error: errorMessage(error) });
  }
};
