/**
 * Page side of stems on disk: reads any range of a stored result's stems from its OPFS
 * files (File snapshots; only the range asked for is read), and the peaks of every lane
 * computed in one streaming pass.
 */
import type { StoredStems } from '../separation/pipeline';
import { BlockPeaks } from '../waveform/block-peaks';
import { jobDir } from './opfs';
import { BYTES_PER_SAMPLE } from './records';

/** Frames read at a time by streaming passes (1 MiB per channel file). */
export const READ_FRAMES = 1 << 18;

export class StemFiles {
	private constructor(readonly stored: StoredStems, private readonly files: File[][]) {}

	static async open(stored: StoredStems): Promise<StemFiles> {
		const dir = await jobDir(stored.folder, false);
		if (!dir) throw new Error('The files of these stems are gone (deleted or cleared by the browser).');
		const files = await Promise.all(stored.files.map((chs) => Promise.all(chs.map(async (f) => (await dir.getFileHandle(f)).getFile()))));
		for (const chs of files) {
			for (const f of chs) if (f.size < stored.frames * BYTES_PER_SAMPLE) throw new Error(`${f.name} is shorter than recorded`);
		}
		return new StemFiles(stored, files);
	}

	get frames(): number {
		return this.stored.frames;
	}

	/** Frames [start, end) of one stem, one array per channel (zeros past the end). */
	async read(stem: number, start: number, end: number): Promise<Float32Array[]> {
		const from = Math.max(0, Math.min(this.frames, start));
		const to = Math.max(from, Math.min(this.frames, end));
		return Promise.all(
			this.files[stem].map(async (file) => {
				const out = new Float32Array(Math.max(0, end - start));
				if (to > from) out.set(new Float32Array(await file.slice(from * BYTES_PER_SAMPLE, to * BYTES_PER_SAMPLE).arrayBuffer()), from - start);
				return out;
			})
		);
	}

	/** Every stem's frames [start, end): [stem][channel]. */
	readAll(start: number, end: number): Promise<Float32Array[][]> {
		return Promise.all(this.files.map((_, s) => this.read(s, start, end)));
	}

	/** Peaks of each stem and of their sum (the mix), in one pass over the files. */
	async peaks(onProgress?: (fraction: number) => void): Promise<{ mix: BlockPeaks; stems: BlockPeaks[] }> {
		const mix = new BlockPeaks(this.frames);
		const stems = this.files.map(() => new BlockPeaks(this.frames));
		for (let f = 0; f < this.frames; f += READ_FRAMES) {
			const region = await this.readAll(f, Math.min(this.frames, f + READ_FRAMES));
			region.forEach((chs, s) => stems[s].add(f, chs.map((c) => [c])));
			mix.add(f, region[0].map((_, c) => region.map((chs) => chs[c])));
			onProgress?.(Math.min(1, (f + READ_FRAMES) / this.frames));
		}
		return { mix, stems };
	}
}
