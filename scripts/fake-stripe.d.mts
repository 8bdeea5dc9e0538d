export interface FakeStripe {
	port: number;
	url: string;
	price: string;
	sessions: Map<string, Record<string, unknown>>;
	events: { id: string; type: string; data: { object: Record<string, unknown> } }[];
	close(): Promise<void>;
}
export function startFakeStripe(options?: { port?: number; webhookUrl?: string; webhookSecret?: string; log?: (line: string) => void }): Promise<FakeStripe>;
