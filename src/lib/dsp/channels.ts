/**
 * Channel layout conversion between the user's file and the model.
 * Multichannel files follow the WAV (WAVEFORMATEXTENSIBLE default) speaker order.
 */
const H = Math.SQRT1_2;

/** Downmix coefficients to [left, right] per input channel, ITU-R BS.775 style (LFE dropped). */
const LAYOUTS: Record<number, { name: string; gains: [number, number][] }> = {
	3: { name: '3.0 (L R C)', gains: [[1, 0], [0, 1], [H, H]] },
	4: { name: 'quad (L R Ls Rs)', gains: [[1, 0], [0, 1], [H, 0], [0, H]] },
	5: { name: '5.0 (L R C Ls Rs)', gains: [[1, 0], [0, 1], [H, H], [H, 0], [0, H]] },
	6: { name: '5.1 (L R C LFE Ls Rs)', gains: [[1, 0], [0, 1], [H, H], [0, 0], [H, 0], [0, H]] },
	8: {
		name: '7.1 (L R C LFE Ls Rs Lb Rb)',
		gains: [[1, 0], [0, 1], [H, H], [0, 0], [H, 0], [0, H], [H, 0], [0, H]]
	}
};

export interface Conformed {
	channels: Float32Array[];
	note: string | null;
}

/** Converts to the model's channel count (1 or 2), explaining any change in `note`. */
export function toModelChannels(input: Float32Array[], modelChannels: number): Conformed {
	const n = input.length;
	if (n === modelChannels) return { channels: input, note: null };
	if (modelChannels === 2 && n === 1) {
		return { channels: [input[0], input[0].slice()], note: 'Mono file: separated as dual mono; stems are mono.' };
	}
	if (modelChannels === 1) {
		return { channels: [average(input)], note: `${n}-channel file mixed down to mono for the model.` };
	}
	const layout = LAYOUTS[n];
	const gains: [number, number][] = layout
		? layout.gains
		: input.map((_, c) => (c % 2 === 0 ? [2 / n, 0] : [0, 2 / n]) as [number, number]);
	const length = input[0].length;
	const left = new Float32Array(length);
	const right = new Float32Array(length);
	input.forEach((ch, c) => {
		const [gl, gr] = gains[c];
		if (gl) for (let i = 0; i < length; i++) left[i] += gl * ch[i];
		if (gr) for (let i = 0; i < length; i++) right[i] += gr * ch[i];
	});
	const how = layout ? `as ${layout.name}` : 'averaging odd channels to the left and even channels to the right';
	return { channels: [left, right], note: `${n}-channel file mixed down to stereo ${how}; stems are stereo.` };
}

/** Converts model-layout stems back to the output layout: mono input gives mono stems. */
export function toOutputChannels(stem: Float32Array[], inputChannels: number): Float32Array[] {
	return inputChannels === 1 && stem.length > 1 ? [average(stem)] : stem;
}

export function average(channels: Float32Array[]): Float32Array {
	const out = new Float32Array(channels[0].length);
	for (const ch of channels) for (let i = 0; i < out.length; i++) out[i] += ch[i];
	for (let i = 0; i < out.length; i++) out[i] /= channels.length;
	return out;
}
