// Partial ISO dates ('1980', '1980-02', '1980-02-03', or a full timestamp) as closed intervals of
// 'YYYY-MM-DD' strings, which compare correctly as plain strings.

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ].*)?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** [first day, last day] covered by an ISO (partial) date, or null when it is not one. */
export function dateInterval(value: string): [string, string] | null {
  const m = DATE.exec(value.trim());
  if (!m) return null;
  const year = m[1];
  if (m[2] === undefined) return [`${year}-01-01`, `${year}-12-31`];
  const month = Number(m[2]);
  if (month < 1 || month > 12) return null;
  if (m[3] === undefined) {
    const last = String(daysInMonth(Number(year), month)).padStart(2, '0');
    return [`${year}-${m[2]}-01`, `${year}-${m[2]}-${last}`];
  }
  const day = Number(m[3]);
  if (day < 1 || day > daysInMonth(Number(year), month)) return null;
  const full = `${year}-${m[2]}-${m[3]}`;
  return [full, full];
}

/** Whether two dates can describe the same day ('1980' and '1980-02-03' can; '1980-02' and '1981' cannot). */
export function datesCompatible(a: string, b: string): boolean {
  const x = dateInterval(a);
  const y = dateInterval(b);
  if (!x || !y) return a.trim() === b.trim();
  return x[0] <= y[1] && y[0] <= x[1];
}
