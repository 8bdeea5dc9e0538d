/**
 * UVR's MDX-Net conventions (Ultimate Vocal Remover, separate.py SeperateMDX and the STFT class of
 * lib_v5): an STFT with torch.stft's conventions (periodic Hann, center=True, reflect padding)
 * at hop 1024 and n_fft from the model's table (`mdx_n_fft_scale_set`: 6144, 7680, 8192... so not
 * always a power of two), cut to the first `dim_f` bins, laid out [4, dim_f, dim_t] as
 * (left re, left im, right re, right im); the inverse pads the cut bins with zeros. Chunks of
 * hop·(dim_t-1) samples are taken every `step` samples from the mix padded by n_fft/2 in front,
 * weighted by a symmetric Hann window (numpy.hanning) and averaged, as UVR's `demix` does.
 */
import { istft, stft } from './stft';

/** UVR's MDX-Net hop length. */
export const MDX_HOP = 1024;

export interface MdxStftParams {
	nFft: number;
	/** Bins kept (the rest are dropped on the way in and zero on the way out). */
	dimF: number;
	/** STFT frames per model call (2 ** mdx_dim_t_set). */
	dimT: number;
	/** 1024 in UVR; smaller only in tests. */
	hopLength?: number;
}

export function mdxChunkSize(p: MdxStftParams): number {
	return (p.hopLength ?? MDX_HOP) * (p.dimT - 1);
}

export function checkMdxParams(p: MdxStftParams): void {
	const hop = p.hopLength ?? MDX_HOP;
	if (!(Number.isInteger(p.nFft) && p.nFft >= 4 && p.nFft % 2 === 0)) throw new RangeError(`n_fft must be an even integer >= 4, got ${p.nFft}`);
	if (!(Number.isInteger(p.dimF) && p.dimF >= 1 && p.dimF <= p.nFft / 2 + 1)) {
		throw new RangeError(`dim_f must be between 1 and n_fft/2+1 = ${p.nFft / 2 + 1}, got ${p.dimF}`);
	}
	if (!(Number.isInteger(p.dimT) && p.dimT >= 2)) throw new RangeError(`dim_t must be an integer >= 2, got ${p.dimT}`);
	if (!(Number.isInteger(hop) && hop >= 1)) throw new RangeError(`hop must be a positive integer, got ${hop}`);
	if (mdxChunkSize(p) <= p.nFft) throw new RangeError('a chunk (hop·(dim_t-1) samples) must be longer than n_fft');
}

/**
 * Stereo chunk (two channels of hop·(dim_t-1) samples) -> the model input [4, dimF, dimT]:
 * channel c's real part at plane 2c, imaginary part at plane 2c+1, bins >= dimF dropped.
 */
export function mdxSpectrum(left: Float32Array, right: Float32Array, p: MdxStftParams): Float32Array {
	const hop = p.hopLength ?? MDX_HOP;
	const T = p.dimT;
	const F = p.dimF;
	if (left.length !== mdxChunkSize(p) || right.length !== left.length) {
		throw new RangeError(`an MDX chunk has ${mdxChunkSize(p)} samples per channel, got ${left.length} and ${right.length}`);
	}
	const out = new Float32Array(4 * F * T);
	[left, right].forEach((signal, c) => {
		const spec = stft(signal, { nFft: p.nFft, hopLength: hop }); // [bins][T][2]
		const re = out.subarray(2 * c * F * T, (2 * c + 1) * F * T);
		const im = out.subarray((2 * c + 1) * F * T, (2 * c + 2) * F * T);
		for (let f = 0; f < F; f++) {
			for (let t = 0; t < T; t++) {
				re[f * T + t] = spec[(f * T + t) * 2];
				im[f * T + t] = spec[(f * T + t) * 2 + 1];
			}
		}
	});
	return out;
}

/** Model output [4, dimF, T] -> two channels of hop·(T-1) samples; bins >= dimF are zero. */
export function mdxInverse(spec: Float32Array, frames: number, p: MdxStftParams): [Float32Array, Float32Array] {
	const hop = p.hopLength ?? MDX_HOP;
	const F = p.dimF;
	const T = frames;
	const bins = p.nFft / 2 + 1;
	if (spec.length !== 4 * F * T) throw new RangeError(`MDX spectrum has ${spec.length} values, expected ${4 * F * T}`);
	const full = new Float32Array(bins * T * 2);
	const channel = (c: number) => {
		full.fill(0);
		const re = spec.subarray(2 * c * F * T, (2 * c + 1) * F * T);
		const im = spec.subarray((2 * c + 1) * F * T, (2 * c + 2) * F * T);
		for (let f = 0; f < F; f++) {
			for (let t = 0; t < T; t++) {
				full[(f * T + t) * 2] = re[f * T + t];
				full[(f * T + t) * 2 + 1] = im[f * T + t];
			}
		}
		return istft(full, T, hop * (T - 1), { nFft: p.nFft, hopLength: hop });
	};
	return [channel(0), channel(1)];
}

/** numpy.hanning(m): the symmetric Hann window (zero at both ends; [1] for m = 1). */
export function symmetricHann(m: number): Float64Array {
	const w = new Float64Array(m);
	if (m === 1) w[0] = 1;
	else for (let i = 0; i < m; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (m - 1));
	return w;
}

/** 'default' is UVR's "Default" overlap (step = chunk - n_fft); a number in [0, 1) is UVR's overlap setting. */
export type MdxOverlap = 'default' | number;

export interface MdxChunkPlan {
	/** n_fft/2 zeros in front of the mix (and cut off the result). */
	trim: number;
	chunkSize: number;
	step: number;
	/** trim + mix + the zeros UVR appends. */
	paddedLength: number;
	starts: number[];
	/** false for overlap 0 (plain sum, no window). */
	windowed: boolean;
}

/** UVR demix's padding and chunk starts for a mix of `length` samples. */
export function planMdxChunks(length: number, p: MdxStftParams, overlap: MdxOverlap): MdxChunkPlan {
	checkMdxParams(p);
	if (overlap !== 'default' && !(overlap >= 0 && overlap < 1)) throw new RangeError(`overlap must be 'default' or in [0, 1), got ${overlap}`);
	const chunkSize = mdxChunkSize(p);
	const trim = p.nFft / 2;
	const genSize = chunkSize - 2 * trim;
	const pad = genSize + trim - (length % genSize);
	const paddedLength = trim + length + pad;
	const step = overlap === 'default' ? chunkSize - p.nFft : Math.trunc((1 - overlap) * chunkSize);
	if (step < 1) throw new RangeError('the overlap leaves no step between chunks');
	const starts: number[] = [];
	for (let i = 0; i < paddedLength; i += step) starts.push(i);
	return { trim, chunkSize, step, paddedLength, starts, windowed: overlap !== 0 };
}
