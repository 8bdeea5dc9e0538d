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

/**
 * `resample` over a signal that arrives in pieces (total input length known up front):
 * `push` returns every output sample whose kernel is now complete, `end` the rest. Only
 * about one kernel width of input is kept. Same arithmetic as `resample`, so the
 * concatenated output equals resample(whole input).
 */
export class StreamResampler {
	private readonly table: Float64Array;
	private readonly halfWidth: number;
	private readonly step: number;
	readonly outLength: number;
	private buf = new Float32Array(0);
	/** Input index of buf[0]. */
	private bufStart = 0;
	private received = 0;
	private next = 0;

	constructor(private readonly inLength: number, readonly fromRate: number, readonly toRate: number, options: ResampleOptions = {}) {
		if (!(fromRate > 0 && toRate > 0)) throw new RangeError(`bad sample rates ${fromRate} -> ${toRate}`);
		const { zeroCrossings = 32, beta = 8.6, rolloff = 0.95 } = options;
		const cutoff = rolloff * Math.min(1, toRate / fromRate);
		this.halfWidth = zeroCrossings / cutoff;
		this.table = kernelTable(cutoff, this.halfWidth, beta);
		this.outLength = resampledLength(inLength, fromRate, toRate);
		this.step = fromRate / toRate;
	}

	push(piece: Float32Array): Float32Array {
		const joined = new Float32Array(this.received - this.bufStart + piece.length);
		joined.set(this.buf.subarray(0, this.received - this.bufStart));
		joined.set(piece, this.received - this.bufStart);
		this.buf = joined;
		this.received += piece.length;
		return this.emit(this.received >= this.inLength);
	}

	end(): Float32Array {
		return this.emit(true);
	}

	private emit(all: boolean): Float32Array {
		const { table, halfWidth, step } = this;
		const n = this.inLength;
		let last = this.next;
		while (last < this.outLength && (all || Math.min(n - 1, Math.floor(last * step + halfWidth)) < this.received)) last++;
		const out = new Float32Array(last - this.next);
		for (let j = this.next; j < last; j++) {
			const t = j * step;
			const lo = Math.max(0, Math.ceil(t - halfWidth));
			const hi = Math.min(n - 1, this.received - 1, Math.floor(t + halfWidth));
			let acc = 0;
			for (let k = lo; k <= hi; k++) {
				const pos = Math.abs(t - k) * TABLE_STEPS;
				const i = pos | 0;
				const frac = pos - i;
				acc += this.buf[k - this.bufStart] * (table[i] + frac * (table[i + 1] - table[i]));
			}
			out[j - this.next] = acc;
		}
		this.next = last;
		// Keep only the input the next output still needs.
		const keepFrom = Math.min(this.received, Math.max(this.bufStart, Math.ceil(last * step - halfWidth)));
		if (keepFrom > this.bufStart) {
			this.buf = this.buf.slice(keepFrom - this.bufStart);
			this.bufStart = keepFrom;
		}
		return out;
	}
}
