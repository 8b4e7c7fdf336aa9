/**
 * The import report's content: the issues of an interchange import grouped by what happened, so
 * 40 unresolved references read as one line with a count and a few examples, not 40 lines.
 */
import type { ImportIssue } from '../../shared/interchange/index.ts';

export interface IssueGroup {
  readonly code: string;
  readonly title: string;
  readonly count: number;
  /** The first few issues, with where they were found. */
  readonly examples: readonly ImportIssue[];
}

/** Words for the issue codes the importers use; an unknown code is shown as it is. */
const TITLES: Readonly<Record<string, string>> = {
  'ftm.unresolved-reference': 'References to entities not in the file (kept as unresolved)',
  'ftm.split': 'Values split into several (e.g. phone numbers joined by ";")',
  'ftm.unknown-property': "Properties Tessera's model does not know (kept aside, exported again)",
  'ftm.invalid-value': 'Values that fail their check (kept aside, exported again)',
  'ftm.object-value': 'Structured values (kept as JSON text)',
  'ftm.null-value': 'Empty (null) values left out',
  'ftm.edge-without-end': 'Relationships without an end, left out',
  'ftm.unknown-schema': 'Entities of an unknown type, left out',
  'ftm.duplicate-id': 'Ids used twice for different types, second left out',
  'ftm.id-too-long': 'Ids over the length limit, left out',
  'ftm.value-too-long': 'Values over the length limit, left out',
  'ftm.bad-line': 'Lines that are not JSON, left out',
  'ftm.not-entity': 'Items that are not entities, left out',
  'ftm.no-id': 'Entities without an id, left out',
  'ftm.bad-properties': 'Entities with unreadable properties',
  'ftm.bad-metadata': 'FtM metadata over a limit or not a date, left out',
  'graph.default-type': 'Nodes without a type (imported as Legal entity)',
  'graph.unknown-type': 'Nodes or edges of an unknown type (imported as a generic one)',
  'graph.skipped': 'Elements left out',
};

export function groupIssues(issues: readonly ImportIssue[], examples = 3): IssueGroup[] {
  const groups = new Map<string, ImportIssue[]>();
  for (const issue of issues) {
    const list = groups.get(issue.code);
    if (list) list.push(issue);
    else groups.set(issue.code, [issue]);
  }
  return [...groups].map(([code, list]) => ({
    code,
    title: TITLES[code] ?? code,
    count: list.length,
    examples: list.slice(0, examples),
  }));
}
