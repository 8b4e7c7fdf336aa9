import { describe, expect, it } from 'vitest';
import { groupIssues } from './importReportModel.ts';

describe('import report', () => {
  it('groups issues by what happened, in order of first appearance, with a few examples', () => {
    const issues = [
      ...Array.from({ length: 5 }, (_, index) => ({
        code: 'ftm.unresolved-reference',
        message: `addr-${index} is referred to but not in the file`,
        where: `line ${index + 1}`,
      })),
      { code: 'ftm.split', message: 'phone split', where: 'line 12' },
      { code: 'x.new-code', message: 'something new' },
    ];
    const groups = groupIssues(issues);
    expect(groups.map((group) => [group.code, group.count])).toEqual([
      ['ftm.unresolved-reference', 5],
      ['ftm.split', 1],
      ['x.new-code', 1],
    ]);
    expect(groups[0]!.examples.map((issue) => issue.where)).toEqual(['line 1', 'line 2', 'line 3']);
    expect(groups[0]!.title).toMatch(/kept as unresolved/);
    expect(groups[2]!.title).toBe('x.new-code');
  });
});
