/** The license in "Delete all my data": offered separately (restoring needs the key). */
import { registerDataCategory } from '../privacy/data-categories';
import { removeLicense } from './store';

registerDataCategory({
	id: 'license',
	label: 'Your license',
	description: 'The full-length license key (IndexedDB “keyval-store”). Keep a copy of the key to restore it later.',
	optional: true,
	idb: ['keyval-store'],
	opfs: [],
	clear: () => removeLicense()
});
