/**
 * onnxruntime-web and WebGPU report failures in their own words ("std::bad_alloc",
 * "ERROR_CODE: 6, ERROR_MESSAGE: ..."). The user gets a plain sentence; the raw text stays
 * available as details.
 */
import { isWorkerCrash } from './worker-guard';

export interface ExplainedError {
	message: string;
	details: string | null;
}

const RULES: { test: RegExp; message: string }[] = [
	{
		test: /bad_alloc|out of memory|OOM|Aborted\(OOM\)|memory access out of bounds|Cannot enlarge memory|RangeError: Array buffer allocation/i,
		message:
			'The model ran out of memory on this device. Try a shorter chunk or lower overlap, close other tabs, or use a smaller model.'
	},
	{
		test: /device lost|GPUDevice|WebGPU|shader|validation error|createComputePipeline|GPUBuffer/i,
		message: 'The graphics card stopped working on this job. Stemsafe retried on the CPU where it could.'
	},
	{
		test: /failed to fetch|NetworkError|could not be downloaded|net::/i,
		message: 'A file the app needs could not be downloaded. Check the connection and reload; after one full load the app works offline.'
	},
	{
		test: /integrity check|incomplete or damaged/i,
		message: 'The model file on this device is damaged or incomplete. Reload to download it again, or re-import it.'
	},
	{
		test: /not finite/i,
		message: 'The model produced invalid numbers (NaN or infinity) for this file.'
	}
];

/** `known`: messages that are already written for users (AudioFormatError & co) pass through. */
export function explainError(error: unknown, known = false): ExplainedError {
	const raw = error instanceof Error ? error.message : String(error);
	if (known) return { message: raw, details: null };
	// a worker that died is worded for users already; the browser's words are the details
	if (isWorkerCrash(error)) return { message: raw, details: error.details };
	for (const rule of RULES) if (rule.test.test(raw)) return { message: rule.message, details: raw };
	return { message: 'Separation stopped because of an internal error in the processing engine.', details: raw };
}
