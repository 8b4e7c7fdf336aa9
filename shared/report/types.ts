/**
 * The report model (issue 12, "Reports and dossiers"): what a report says, independent of the file
 * format it is written to. `buildReport` (build.ts) makes one from a case and an audience; the
 * writers (pdf.ts, docx.ts, xlsx.ts) only lay it out. Every block carries the markings of what it
 * shows, so a writer can put on each page the highest marking of the blocks that landed there.
 * docs/reports.md describes the templates, sections and rules for officers.
 */
import type { SharingAgreement } from '../exchange/agreement.ts';
import type { ClassificationLadder } from '../exchange/markings.ts';
import type { Markings } from '../model/markings.ts';

/** The templates a user picks from. */
export const REPORT_TEMPLATES = {
  case: 'Case summary',
  subject: 'Subject profile',
  chart: 'Chart briefing',
  schedule: 'Disclosure schedule',
} as const;
export type ReportTemplate = keyof typeof REPORT_TEMPLATES;
export const REPORT_TEMPLATE_NAMES = Object.keys(REPORT_TEMPLATES) as readonly ReportTemplate[];

export const REPORT_FORMATS = ['pdf', 'docx', 'xlsx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** A partner the report is for: the same partner and agreement an export to it would use. */
export interface ReportPartner {
  readonly partnerId: string;
  readonly partnerName: string;
  readonly agreement: SharingAgreement;
}

export interface ReportOptions {
  readonly template: ReportTemplate;
  /** Who writes the report (cover page). */
  readonly author: string;
  /** Our agency id: the release policy tells our own material from others'. */
  readonly ownAgencyId: string;
  /** ISO time of the report (cover, agreement validity). */
  readonly now: string;
  /** The partner the report is for; absent for our own copy. */
  readonly partner?: ReportPartner;
  /**
   * With a partner: the author's copy, which also lists what was withheld from the partner and why.
   * It is marked as such on every page and is never to be given to the partner.
   */
  readonly authorCopy?: boolean;
  /** Subject profile: the entities it is about. Case summary: restricts profiles to these. */
  readonly entityIds?: readonly string[];
  /** Chart briefing: the chart; case summary: the chart shown (default: the first). */
  readonly chartId?: string;
  /** Adds the audit appendix (the audit entries passed to buildReport). */
  readonly auditAppendix?: boolean;
  readonly classifications?: ClassificationLadder;
  /** Time zone for readable times; the machine's own when left out. */
  readonly timeZone?: string;
}

/** One piece of a report, with the markings of what it shows. */
export type ReportBlock =
  | { readonly kind: 'heading'; readonly text: string; readonly markings: Markings }
  | { readonly kind: 'paragraph'; readonly text: string; readonly markings: Markings }
  /** Label and value pairs (a profile's properties, the case's facts). */
  | {
      readonly kind: 'fields';
      readonly title?: string;
      readonly rows: readonly (readonly [string, string])[];
      readonly markings: Markings;
    }
  | {
      readonly kind: 'table';
      readonly columns: readonly string[];
      readonly rows: readonly (readonly string[])[];
      readonly markings: Markings;
    }
  | {
      readonly kind: 'chart';
      /** A standalone SVG document (chartSvg.ts). */
      readonly svg: string;
      readonly width: number;
      readonly height: number;
      readonly legend: readonly { readonly label: string; readonly color: string }[];
      /** The entity captions drawn in the SVG, as plain text (for the second check). */
      readonly labels: readonly string[];
      readonly markings: Markings;
    };

export interface ReportSection {
  /** Stable key: `summary`, `profiles`, `withheld`… */
  readonly key: string;
  readonly title: string;
  readonly blocks: readonly ReportBlock[];
}

/** One line of a disclosure schedule (and of the XLSX). */
export interface ScheduleRow {
  readonly ref: string;
  readonly recordId: string;
  readonly kind: string;
  readonly caption: string;
  readonly marking: string;
  readonly source: string;
  readonly grade: string;
  readonly sha256: string;
  /** `released` / `withheld` for a partner's report, `held` for our own copy. */
  readonly status: 'released' | 'withheld' | 'held';
  readonly markings: Markings;
}

export interface ReportDocument {
  readonly template: ReportTemplate;
  readonly title: string;
  readonly reference: string;
  readonly caseTitle: string;
  readonly author: string;
  /** ISO time of the report. */
  readonly date: string;
  /** "Own copy", "For Agency B", "Author's copy of the report for Agency B". */
  readonly audience: string;
  readonly authorCopy: boolean;
  /** The markings every page carries at least (the case's own). */
  readonly floor: Markings;
  /** The highest markings of everything in the report (the cover shows them). */
  readonly highest: Markings;
  readonly sections: readonly ReportSection[];
  readonly schedule: readonly ScheduleRow[];
  readonly classifications: ClassificationLadder;
}

/** Why a report was refused; callers branch on the code. */
export type ReportErrorCode =
  /** The case itself may not go to the partner (release rules C1–C4). */
  | 'case-withheld'
  /** The second check found a withheld record's id or value in the report's text (F5). */
  | 'mention'
  /** Subject profile without entities, or entities that are not in the case. */
  | 'no-subject'
  /** Chart briefing without a chart, or a chart that is not in the case (or not released). */
  | 'no-chart';

export class ReportError extends Error {
  override readonly name = 'ReportError';
  constructor(
    readonly code: ReportErrorCode,
    message: string,
  ) {
    super(message);
  }
}
