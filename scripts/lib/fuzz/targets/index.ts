/** The parsers the fuzzer knows, by the name --parser takes. */
import { aiffTarget, flacTarget, wavTarget } from './audio';
import { npzTarget, safetensorsTarget, torchTarget } from './checkpoint';
import { harnessCheckTarget } from './harness-check';
import type { FuzzTarget } from './target';
import { yamlTarget } from './yaml';

export type { FuzzTarget } from './target';

const PARSER_TARGETS = [wavTarget, aiffTarget, flacTarget, torchTarget, safetensorsTarget, npzTarget, yamlTarget];

/** The parsers fuzzed by default. */
export const PARSERS = PARSER_TARGETS.map((t) => t.name);

/** By name: the parsers, and the harness's own check (harness-check.ts). */
export const TARGETS: Record<string, FuzzTarget> = Object.fromEntries([...PARSER_TARGETS, harnessCheckTarget].map((t) => [t.name, t]));
