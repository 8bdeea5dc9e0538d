/** What the separation worker runs: the policy applied to the license the worker itself reads and verifies. */
import type { AudioData } from '../dsp/audio';
import { applyPlan, type PlannedAudio } from './policy';
import { currentLicense } from './store';

export async function gateAudio(audio: AudioData): Promise<PlannedAudio> {
	const license = await currentLicense();
	return applyPlan(audio, license.kind === 'licensed');
}
