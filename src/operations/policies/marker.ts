import { InvalidRequestException } from '../../generated/errors.js';
import { decodeToken, encodeToken } from '../pagination.js';

/** Markers of the marker/nextMarker lists keyed by name: the shared page token in the Marker alphabet. */
export function encodeMarker(list: string, after: string, ascending = true): string {
  return encodeToken(list, { after, asc: ascending }, 'base64');
}

export interface MarkerPosition {
  after?: string;
}

/** The position a marker stands for; a marker of another list, or of the other order, is InvalidRequestException. */
export function decodeMarker(list: string, marker: string | undefined, ascending = true): MarkerPosition {
  const pos = decodeToken<{ after: string; asc: boolean }>(list, marker, 'marker');
  if (!pos) return {};
  if (typeof pos.after !== 'string' || pos.asc !== ascending) {
    throw new InvalidRequestException(`The marker '${marker!.slice(0, 64)}' does not belong to this list in this order; pass the nextMarker of the previous response unchanged.`);
  }
  return { after: pos.after };
}

/** Slices a page fetched with one extra row and gives the next marker when more follow. */
export function page<T>(rows: T[], limit: number, list: string, keyOf: (row: T) => string, ascending = true): { items: T[]; nextMarker?: string } {
  const items = rows.slice(0, limit);
  return { items, nextMarker: rows.length > limit ? encodeMarker(list, keyOf(items[items.length - 1]), ascending) : undefined };
}
