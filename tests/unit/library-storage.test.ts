import { describe, expect, it } from 'vitest';
import { formatBytes, isQuotaError } from '../../src/lib/library/storage';

describe('storage helpers', () => {
	it('recognises a full disk however it is reported', () => {
		expect(isQuotaError(new DOMException('x', 'QuotaExceededError'))).toBe(true);
		expect(isQuotaError(new Error('Quota exceeded while writing'))).toBe(true);
		expect(isQuotaError(new DOMException('gone', 'NotFoundError'))).toBe(false);
		expect(isQuotaError(new Error('network'))).toBe(false);
		expect(isQuotaError('QuotaExceededError')).toBe(false);
	});

	it('formats sizes in decimal units', () => {
		expect(formatBytes(null)).toBe('–');
		expect(formatBytes(999)).toBe('999 bytes');
		expect(formatBytes(1_411_200)).toBe('1.4 MB');
		expect(formatBytes(84_672_000)).toBe('85 MB');
		expect(formatBytes(12.5e9)).toBe('13 GB');
	});
});
