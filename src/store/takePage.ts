/**
 * One page of a list query that asked for `limit + 1` rows: the extra row is never shown, it only
 * proves that another page follows. `last` (the last row shown, to build the next cursor from) is
 * set only then, so a full last page does not hand out a cursor to an empty one.
 */
export function takePage<R>(rows: R[], limit: number): { page: R[]; last?: R } {
  if (rows.length <= limit) return { page: rows };
  const page = rows.slice(0, limit);
  return { page, last: page[page.length - 1] };
}
