// UVR MDX-Net conventions (src/lib/dsp/mdx.ts) and the demix pipeline (src/lib/separation/
// mdx-separate.ts) against the PyTorch reference in tools/make_mdx_golden.py.
import { describe, expect, it } from 'vitest';
import { BluesteinFFT, createFFT, FFT } from '../../src/lib/dsp/fft';
import { MixedRadixFFT, smallFactors } from '../../src/lib/dsp/fft-mixed';
import { mdxInverse, mdxSpectrum, planMdxChunks } from '../../src/lib/dsp/mdx';
import { separateMdx } from '../../src/lib/separation/mdx-separate';
import { loadGolden, maxAbsDiff } from './golden';

function detInput(n: number): Float32Array {
	const x = new Float32Array(n);
	for (let i = 0; i < n; i++) x[i] = Math.sin(0.37 * i) * (1 + 0.5 * Math.cos(0.0011 * i));
	return x;
}

function maxAbs(a: ArrayLike<number>): number {
	let m = 0;
	for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
	return m;
}

describe('Bluestein FFT', () => {
	it('matches a direct DFT for sizes that are not powers of two, and the radix-2 FFT for 16', () => {
		for (const n of [3, 12, 15, 48, 96]) {
			const re = Float64Array.from({ length: n }, (_, i) => Math.sin(1.3 * i) + 0.2 * i);
			const im = Float64Array.from({ length: n }, (_, i) => Math.cos(0.7 * i * i));
			const fre = re.slice();
			const fim = im.slice();
			new BluesteinFFT(n).transform(fre, fim);
			for (let k = 0; k < n; k++) {
				let sr = 0;
				let si = 0;
				for (let j = 0; j < n; j++) {
					const a = (-2 * Math.PI * j * k) / n;
					sr += re[j] * Math.cos(a) - im[j] * Math.sin(a);
					si += re[j] * Math.sin(a) + im[j] * Math.cos(a);
				}
				expect(Math.abs(fre[k] - sr) + Math.abs(fim[k] - si)).toBeLessThan(1e-9 * n);
			}
			new BluesteinFFT(n).transform(fre, fim, true);
			for (let j = 0; j < n; j++) expect(Math.abs(fre[j] / n - re[j]) + Math.abs(fim[j] / n - im[j])).toBeLessThan(1e-12 * n);
		}
		const a = Float64Array.from({ length: 16 }, (_, i) => Math.sin(i));
		const b = new Float64Array(16);
		const c = a.slice();
		const d = new Float64Array(16);
		new FFT(16).transform(a, b);
		new BluesteinFFT(16).transform(c, d);
		expect(maxAbsDiff(a, c)).toBeLessThan(1e-12);
		expect(maxAbsDiff(b, d)).toBeLessThan(1e-12);
	});
});

describe('mixed-radix FFT (sizes made of 2, 3, 5, 7)', () => {
	it('matches a direct DFT, forward and inverse', () => {
		for (const n of [6, 12, 15, 20, 30, 56, 60, 96, 210, 360]) {
			const re = Float64Array.from({ length: n }, (_, i) => Math.sin(1.3 * i) + 0.2 * i);
			const im = Float64Array.from({ length: n }, (_, i) => Math.cos(0.7 * i * i));
			const fre = re.slice();
			const fim = im.slice();
			const fft = new MixedRadixFFT(n);
			fft.transform(fre, fim);
			for (let k = 0; k < n; k++) {
				let sr = 0;
				let si = 0;
				for (let j = 0; j < n; j++) {
					const a = (-2 * Math.PI * ((j * k) % n)) / n;
					sr += re[j] * Math.cos(a) - im[j] * Math.sin(a);
					si += re[j] * Math.sin(a) + im[j] * Math.cos(a);
				}
				expect(Math.abs(fre[k] - sr) + Math.abs(fim[k] - si), `n=${n} k=${k}`).toBeLessThan(1e-10 * n * n);
			}
			fft.transform(fre, fim, true);
			for (let j = 0; j < n; j++) expect(Math.abs(fre[j] / n - re[j]) + Math.abs(fim[j] / n - im[j])).toBeLessThan(1e-12 * n);
		}
	});
	it('createFFT picks radix-2, mixed radix or Bluestein', () => {
		expect(smallFactors(7680)!.reduce((a, b) => a * b)).toBe(7680);
		expect(smallFactors(13)).toBeNull();
		expect(createFFT(8192)).toBeInstanceOf(FFT);
		expect(createFFT(6144)).toBeInstanceOf(MixedRadixFFT);
		expect(createFFT(7680)).toBeInstanceOf(MixedRadixFFT);
		expect(createFFT(26)).toBeInstanceOf(BluesteinFFT);
	});
});

describe('MDX-Net STFT at UVR sizes (PyTorch reference)', () => {
	for (const name of ['6144', '7680']) {
		it(`n_fft ${name}: spectrum [4, dim_f, dim_t] and inverse`, () => {
			const g = loadGolden(`mdx-stft-${name}`);
			const p = { nFft: g.nFft as number, dimF: g.dimF as number, dimT: g.dimT as number, hopLength: g.hopLength as number };
			const chunk = p.hopLength * (p.dimT - 1);
			const x = detInput(2 * chunk);
			const spec = mdxSpectrum(x.subarray(0, chunk), x.subarray(chunk), p);
			expect(spec.length).toBe(4 * p.dimF * p.dimT);
			const sampled = spec.filter((_, i) => i % 31 === 0);
			const ref = g.arrays.spec_sampled.data;
			expect(maxAbsDiff(sampled, ref)).toBeLessThan(2e-5 * maxAbs(ref));
			const [l, r] = mdxInverse(detInput(4 * p.dimF * p.dimT), p.dimT, p);
			const wave = new Float32Array(2 * chunk);
			wave.set(l);
			wave.set(r, chunk);
			const refWave = g.arrays.istft_sampled.data;
			expect(maxAbsDiff(wave.filter((_, i) => i % 7 === 0), refWave)).toBeLessThan(2e-5 * maxAbs(refWave));
		});
	}
});

describe('MDX-Net demix (UVR chunking, windows, compensate) with a fixed linear model', () => {
	const g = loadGolden('mdx-demix');
	const settings = {
		nFft: g.nFft as number,
		dimF: g.dimF as number,
		dimT: g.dimT as number,
		hopLength: g.hopLength as number,
		compensate: g.compensate as number
	};
	const L = g.arrays.mix.shape[1];
	const mix = [g.arrays.mix.data.slice(0, L), g.arrays.mix.data.slice(L)];
	let calls = 0;
	const model = async (x: Float32Array, dims: number[]) => {
		calls++;
		const [, C, F, T] = dims;
		expect(C).toBe(4);
		const out = new Float32Array(x.length);
		for (let c = 0; c < 4; c++) {
			for (let f = 0; f < F; f++) {
				const gain = 0.5 + 0.4 * Math.cos(0.05 * f);
				for (let t = 0; t < T; t++) {
					const i = (c * F + f) * T + t;
					out[i] = x[i] * gain + 0.1 * x[(((c + 2) % 4) * F + f) * T + t];
				}
			}
		}
		return out;
	};
	const cases: [string, Parameters<typeof separateMdx>[3]][] = [
		['default', { overlap: 'default' }],
		['half-denoise', { overlap: 0.5, denoise: true }],
		['no-overlap', { overlap: 0 }]
	];
	for (const [key, options] of cases) {
		it(key, async () => {
			calls = 0;
			const ref = g.arrays[`primary_${key}`].data;
			const { primary, secondary } = await separateMdx(mix, settings, model, options);
			const plan = planMdxChunks(L, settings, options!.overlap!);
			expect(calls).toBe(plan.starts.length * (options!.denoise ? 2 : 1));
			const got = new Float32Array(2 * L);
			got.set(primary[0]);
			got.set(primary[1], L);
			expect(maxAbsDiff(got, ref)).toBeLessThan(1e-5 * maxAbs(ref));
			for (let ch = 0; ch < 2; ch++) for (let i = 0; i < L; i += 97) expect(secondary[ch][i]).toBeCloseTo(mix[ch][i] - primary[ch][i], 6);
		});
	}

	it('mono runs as dual mono; bad model output and cancellation are reported', async () => {
		const mono = await separateMdx([mix[0]], settings, model);
		const dual = await separateMdx([mix[0], mix[0]], settings, model);
		expect(mono.primary.length).toBe(1);
		expect(maxAbsDiff(mono.primary[0], dual.primary[0])).toBeLessThan(1e-6);
		await expect(separateMdx(mix, settings, async () => new Float32Array(3))).rejects.toThrow(/returned 3 values/);
		await expect(separateMdx(mix, settings, model, { isCancelled: () => true })).rejects.toThrow('Cancelled');
	});
});

describe('an MDX-Net ONNX model run through onnxruntime-web with these conventions', () => {
	it('equals the PyTorch demix reference (same linear model, exported to ONNX)', async () => {
		const { readFileSync } = await import('node:fs');
		const ort = await import('onnxruntime-web');
		const { ortSessionFactory } = await import('../../src/lib/separation/ort-session');
		const g = loadGolden('mdx-demix');
		const L = g.arrays.mix.shape[1];
		const mix = [g.arrays.mix.data.slice(0, L), g.arrays.mix.data.slice(L)];
		const session = await ortSessionFactory(ort, new Uint8Array(readFileSync('tests/fixtures/models/mdx-linear.onnx')))('wasm');
		try {
			const settings = { nFft: g.nFft as number, dimF: g.dimF as number, dimT: g.dimT as number, hopLength: g.hopLength as number, compensate: g.compensate as number };
			const { primary } = await separateMdx(mix, settings, (x, dims) => session.run(x, dims));
			const got = new Float32Array(2 * L);
			got.set(primary[0]);
			got.set(primary[1], L);
			const ref = g.arrays.primary_default.data;
			expect(maxAbsDiff(got, ref)).toBeLessThan(1e-5 * maxAbs(ref));
		} finally {
			await session.release();
		}
	}, 60_000);

});
