/** A checkpoint that cannot be read; the message is meant for the user. */
export class CheckpointError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'CheckpointError';
	}
}
