import { describe, expect, it } from 'vitest';
import { classifyScan, dataCategories, registerDataCategory, type DataCategory } from '../../src/lib/privacy/data-categories';

const cat = (id: string, over: Partial<DataCategory> = {}): DataCategory => ({
	id,
	label: id,
	description: id,
	optional: false,
	idb: [],
	opfs: [],
	...over
});

describe('data categories', () => {
	it('registers by id (re-registering replaces)', () => {
		registerDataCategory(cat('x', { label: 'one' }));
		registerDataCategory(cat('x', { label: 'two' }));
		expect(dataCategories().filter((c) => c.id === 'x').map((c) => c.label)).toEqual(['two']);
	});

	it('classifies a scan into left over, kept on request and the app shell', () => {
		const categories = [
			cat('library', { idb: ['stemsafe-library'], opfs: ['library'] }),
			cat('models', { optional: true, idb: ['stemsafe-models'], opfs: ['models'] })
		];
		const report = classifyScan(
			{
				idb: [
					{ name: 'stemsafe-models', records: 3 },
					{ name: 'something-else', records: null },
					{ name: 'keyval-store', records: 0 }
				],
				opfs: ['models', 'library'],
				caches: ['stemsafe-abc123', 'other-cache']
			},
			categories,
			new Set(['models'])
		);
		expect(report.kept).toEqual([
			{ where: 'IndexedDB', name: 'stemsafe-models', category: 'models' },
			{ where: 'Private files (OPFS)', name: 'models', category: 'models' }
		]);
		expect(report.left).toEqual([
			{ where: 'IndexedDB', name: 'something-else', category: null },
			{ where: 'Private files (OPFS)', name: 'library', category: 'library' },
			{ where: 'Cache Storage', name: 'other-cache', category: null }
		]);
		expect(report.appShell).toEqual(['stemsafe-abc123']);
		expect(report.empty).toEqual(['keyval-store']); // emptied, so not data of anyone
	});

	it('an empty scan leaves nothing', () => {
		const report = classifyScan({ idb: [], opfs: [], caches: ['stemsafe-v1'] }, [cat('a')], new Set());
		expect(report.left).toEqual([]);
		expect(report.kept).toEqual([]);
	});
});
