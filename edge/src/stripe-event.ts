/**
 * Checks on Stripe webhook deliveries beyond the SDK's HMAC check: the signature's timestamp must be
 * within the tolerance in both directions (the SDK only refuses old ones, so a timestamp far in the
 * future would stay replayable until then), and a signed event must still have the shape the
 * handlers read (a `data.object`), else it is a bad request, not an internal error.
 */
import { HttpError } from './http';

/** Stripe's own default tolerance, seconds, applied to the past and to the future. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** The `t=` timestamp of a Stripe-Signature header, or null when there is none. */
export function signatureTimestamp(header: string): number | null {
	for (const part of header.split(',')) {
		const [key, value] = part.split('=', 2).map((s) => s.trim());
		if (key === 't') return /^\d{1,12}$/.test(value ?? '') ? Number(value) : null;
	}
	return null;
}

/** Refuses a header without a timestamp or with one more than the tolerance away from `now` (seconds). */
export function checkSignatureTime(header: string, now: number, tolerance = SIGNATURE_TOLERANCE_SECONDS): void {
	const t = signatureTimestamp(header);
	if (t === null) throw new HttpError(400, 'bad_signature', 'Webhook signature verification failed: the Stripe-Signature header has no timestamp.');
	if (Math.abs(now - t) > tolerance) {
		const where = t > now ? 'in the future' : 'in the past';
		throw new HttpError(400, 'bad_signature', `Webhook signature verification failed: its timestamp is ${Math.round(Math.abs(now - t))} s ${where}, outside the tolerance of ${tolerance} s.`);
	}
}

/** The event's `data.object` when it is an object; a 400 otherwise. */
export function eventObject<T>(event: { type?: unknown; data?: { object?: unknown } | null }): T {
	const object = event.data?.object;
	if (!object || typeof object !== 'object' || Array.isArray(object)) {
		throw new HttpError(400, 'bad_event', `The ${typeof event.type === 'string' ? event.type : 'webhook'} event has no data.object.`);
	}
	return object as T;
}
