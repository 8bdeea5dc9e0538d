/** Imported models in "Delete all my data": offered separately, since re-importing takes effort. */
import { registerDataCategory } from '../../privacy/data-categories';
import { clearImportedModels, MODEL_DB, MODEL_DIR } from './browser';

registerDataCategory({
	id: 'models',
	label: 'Imported models',
	description: `Models you added (private files “${MODEL_DIR}/”, records in IndexedDB “${MODEL_DB}”).`,
	optional: true,
	idb: [MODEL_DB],
	opfs: [MODEL_DIR],
	// idb-keyval keeps its connection open: delete through the store, not the database whole
	clear: async () => {
		await clearImportedModels();
		const root = await navigator.storage.getDirectory();
		await root.removeEntry(MODEL_DIR, { recursive: true }).catch((e: unknown) => {
			if (!(e instanceof DOMException && e.name === 'NotFoundError')) throw e;
		});
	}
});
