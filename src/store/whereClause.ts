/** `WHERE a AND b` from the conditions a query has, or nothing when it has none. */
export function whereClause(conditions: string[]): string {
  return conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
}
