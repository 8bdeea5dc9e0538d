/**
 * The price of the full-length unlock, from its one definition (price.json), for the app to show
 * before anyone goes to checkout.
 */
import price from './price.json';

export interface Price {
	/** In the currency's minor unit (cents). */
	amount: number;
	/** ISO 4217, upper case. */
	currency: string;
}

export const FULL_LENGTH_PRICE: Price = { amount: price.amount, currency: price.currency.toUpperCase() };

/** "€9.00" (or the reader's locale's way of writing it). */
export function formatPrice(p: Price = FULL_LENGTH_PRICE, locale?: string): string {
	return new Intl.NumberFormat(locale, { style: 'currency', currency: p.currency }).format(p.amount / 100);
}
