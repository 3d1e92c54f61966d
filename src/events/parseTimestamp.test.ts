import { describe, expect, it } from 'vitest';
import { parseTimestamp } from './parseTimestamp.js';

describe('parseTimestamp', () => {
  it.each([
    '2025-03-26T09:12:03.481+09:00',
    '2025-03-26T00:12:03.481Z',
    '2024-02-29T23:59:59Z',
    '2025-12-31T23:59:59.123456789-05:30',
    '2025-01-01T00:00:00.5+00:00',
  ])('agrees with Date.parse on %s', (s) => {
    expect(parseTimestamp(s)).toBe(Date.parse(s));
  });
  it.each(['2025-03-26T09:12:03.481', '2025-02-29T00:00:00Z', '2025-13-01T00:00:00Z', '2025-03-26 09:12:03Z', '2025-03-26T24:00:00Z', '2025-03-26T09:12:03.Z', '2025-03-26T09:12:03+0900', 'x'])(
    'rejects %s',
    (s) => {
      expect(parseTimestamp(s)).toBeNaN();
    },
  );
});
