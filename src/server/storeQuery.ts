import { fieldOfReason } from './fieldOfReason.js';
import { ServiceError } from './ServiceError.js';

/** Store queries validate their own cursors and bounds with RangeError: that is the client's 400. */
export async function storeQuery<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RangeError) throw new ServiceError('BAD_REQUEST', err.message, { field: fieldOfReason(err.message) });
    throw err;
  }
}
