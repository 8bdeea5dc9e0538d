/** SHA-256 of downloaded model bytes, checked against the manifest before use. */
export async function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
	const digest = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
	return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function verifyModel(bytes: ArrayBuffer, expected: { sha256: string; bytes: number }, name: string): Promise<void> {
	if (bytes.byteLength !== expected.bytes) {
		throw new Error(`Model file ${name} is ${bytes.byteLength} bytes, expected ${expected.bytes}; the download is incomplete or damaged.`);
	}
	const actual = await sha256Hex(bytes);
	if (actual !== expected.sha256) throw new Error(`Model file ${name} failed its integrity check (sha256 ${actual}).`);
}
