/**
 * Band-limited resampling with a Kaiser-windowed sinc kernel (arbitrary ratio).
 * Stopband attenuation is about 90 dB (beta 8.6, 32 zero crossings); the passband
 * reaches 95 % of the lower Nyquist frequency.
 */
export interface ResampleOptions {
	zeroCrossings?: number;
	beta?: number;
	/** Fraction of the lower of the two Nyquist frequencies kept. */
	rolloff?: number;
}

const TABLE_STEPS = 512; // kernel samples per input sample

function besselI0(x: number): number {
	let sum = 1;
	let term = 1;
	const q = (x * x) / 4;
	for (let k = 1; k < 64; k++) {
		term *= q / (k * k);
		sum += term;
		if (term < 1e-12 * sum) break;
	}
	return sum;
}

function kernelTable(cutoff: number, halfWidth: number, beta: number): Float64Array {
	const n = Math.ceil(halfWidth * TABLE_STEPS) + 2;
	const table = new Float64Array(n);
	const norm = besselI0(beta);
	for (let i = 0; i < n; i++) {
		const d = i / TABLE_STEPS;
		if (d >= halfWidth) continue;
		const x = cutoff * d;
		const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
		const r = d / halfWidth;
		table[i] = cutoff * sinc * (besselI0(beta * Math.sqrt(1 - r * r)) / norm);
	}
	return table;
}

export function resampledLength(length: number, fromRate: number, toRate: number): number {
	return Math.round((length * toRate) / fromRate);
}

export function resample(input: Float32Array, fromRate: number, toRate: number, options: ResampleOptions = {}): Float32Array {
	if (!(fromRate > 0 && toRate > 0)) throw new RangeError(`bad sample rates ${fromRate} -> ${toRate}`);
	if (fromRate === toRate) return input.slice();
	const { zeroCrossings = 32, beta = 8.6, rolloff = 0.95 } = options;
	const cutoff = rolloff * Math.min(1, toRate / fromRate); // relative to the input Nyquist
	const halfWidth = zeroCrossings / cutoff; // in input samples
	const table = kernelTable(cutoff, halfWidth, beta);
	const outLength = resampledLength(input.length, fromRate, toRate);
	const out = new Float32Array(outLength);
	const step = fromRate / toRate;
	const n = input.length;
	for (let j = 0; j < outLength; j++) {
		const t = j * step;
		const lo = Math.max(0, Math.ceil(t - halfWidth));
		const hi = Math.min(n - 1, Math.floor(t + halfWidth));
		let acc = 0;
		for (let k = lo; k <= hi; k++) {
			const pos = Math.abs(t - k) * TABLE_STEPS;
			const i = pos | 0;
			const frac = pos - i;
			acc += input[k] * (table[i] + frac * (table[i + 1] - table[i]));
		}
		out[j] = acc;
	}
	return out;
}
