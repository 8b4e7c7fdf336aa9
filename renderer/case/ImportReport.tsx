import type { ImportIssue } from '../../shared/interchange/index.ts';
import { groupIssues } from './importReportModel.ts';

/** What an import kept, changed or could not use, shown once the case is imported. */
export function ImportReport({
  fileName,
  entities,
  issues,
  onClose,
}: {
  fileName: string;
  entities: number;
  issues: readonly ImportIssue[];
  onClose: () => void;
}) {
  const groups = groupIssues(issues);
  return (
    <section
      className="import-report"
      role="dialog"
      aria-label="Import report"
      data-testid="import-report"
    >
      <header>
        <h2>
          Imported {fileName}: {entities} entities and relationships
        </h2>
        <button type="button" onClick={onClose} data-testid="import-report-close">
          Close
        </button>
      </header>
      {groups.length === 0 ? (
        <p>Everything in the file was imported as it was.</p>
      ) : (
        <ul>
          {groups.map((group) => (
            <li key={group.code} data-testid={`import-issue-${group.code}`}>
              <strong>
                {group.title}: {group.count}
              </strong>
              <ul>
                {group.examples.map((issue, index) => (
                  <li key={index}>
                    {issue.where ? `${issue.where}: ` : ''}
                    {issue.message}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
