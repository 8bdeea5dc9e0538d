/**
 * Installs the allocation guard when the fuzz worker starts. The worker imports this module
 * first, so the guard is in place before any parser module (fflate keeps its own reference to
 * Uint8Array from when it is loaded) is evaluated.
 */
import { workerData } from 'node:worker_threads';
import { installAllocationGuard } from './guard';

export const guard = installAllocationGuard((workerData as { memoryBytes?: number } | null)?.memoryBytes ?? 512 * 1024 ** 2);
