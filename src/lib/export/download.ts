/** Hands a file to the browser's download (an object URL clicked through a temporary link). */
export function downloadFile(file: Blob, name: string, revokeAfterMs = 60_000): void {
	const url = URL.createObjectURL(file);
	const a = document.createElement('a');
	a.href = url;
	a.download = name;
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), revokeAfterMs);
}

/** Bytes in memory as a download of the given MIME type (released sooner: they are in memory). */
export function downloadBytes(bytes: Uint8Array, name: string, type: string): void {
	downloadFile(new Blob([bytes as BlobPart], { type }), name, 10_000);
}
