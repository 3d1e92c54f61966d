/**
 * Approximate 2025 yen rates. Used only to compare and total sizes across markets (order size
 * against volume, yen moved and protected), never to book money.
 */
export const FX_TO_JPY: Readonly<Record<string, number>> = { JPY: 1, USD: 150, HKD: 19, CNY: 21, EUR: 162 };

export function fxToJpy(currency: string | undefined): number {
  return FX_TO_JPY[currency ?? 'JPY'] ?? 1;
}
