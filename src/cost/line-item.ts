/** One line of a bill: what was used, what was free, what it costs. Checkable against a vendor calculator. */
export interface LineItem {
  /** The vendor's product, e.g. "Lambda". */
  readonly service: string;
  /** What is metered, e.g. "requests", "GB-seconds". */
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  /** The part of `quantity` the free tier covers. */
  readonly free: number;
  readonly billable: number;
  /** Price per `per` units; null when no public price was found. */
  readonly price: number | null;
  readonly per: number;
  /** Rounded to the cent, as vendors print each line; null when not priced. */
  readonly usd: number | null;
  readonly note?: string;
}

export interface MeterInput {
  service: string;
  item: string;
  quantity: number;
  unit: string;
  /** Free allowance in the same unit (default 0). */
  free?: number | null;
  price: number | null;
  /** The price is per this many units (default 1). */
  per?: number;
  note?: string;
}

/** A metered line: billable = quantity minus the free allowance (never below 0), times the price. */
export function meter(input: MeterInput): LineItem {
  const per = input.per ?? 1;
  const free = Math.min(input.quantity, Math.max(0, input.free ?? 0));
  const billable = input.quantity - free;
  const usd = input.price === null ? null : cents((billable / per) * input.price);
  return {
    service: input.service,
    item: input.item,
    quantity: input.quantity,
    unit: input.unit,
    free,
    billable,
    price: input.price,
    per,
    usd,
    ...(input.note ? { note: input.note } : {}),
  };
}

/**
 * Rounds half up to the cent, as the vendors' worked examples do. The tiny epsilon absorbs
 * binary floating point (18.335 must round to 18.34, not 18.33).
 */
export function cents(usd: number): number {
  return Math.round((usd + Number.EPSILON * Math.max(1, Math.abs(usd))) * 100 + 1e-9) / 100;
}

/** The sum of the priced lines, to the cent. */
export function totalUsd(items: readonly LineItem[]): number {
  return cents(items.reduce((sum, i) => sum + (i.usd ?? 0), 0));
}
