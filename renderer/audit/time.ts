import { parseHlc } from '../../shared/model/index.ts';

/** Local date and time of an ISO timestamp, for people. */
export function formatIsoTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** Local date and time of a hybrid logical clock value (its wall-clock part). */
export function formatHlcTime(hlc: string): string {
  try {
    return new Date(parseHlc(hlc).wallMs).toLocaleString();
  } catch {
    return hlc;
  }
}
