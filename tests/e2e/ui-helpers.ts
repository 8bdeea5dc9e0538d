import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';

/** Opens one section of a result's details area ('mix', 'analysis', 'file'), if it is closed. */
export async function openSection(result: Locator, name: 'mix' | 'analysis' | 'file') {
	const section = result.getByTestId(`details-${name}`);
	if ((await section.getAttribute('open')) === null) await section.locator('summary').click();
	await expect(section).toHaveAttribute('open', '');
}

/** axe's serious and critical findings on the page (or under `include`), as readable lines. */
export async function seriousAxeViolations(page: Page, include?: string): Promise<string[]> {
	let builder = new AxeBuilder({ page });
	if (include) builder = builder.include(include);
	const { violations } = await builder.analyze();
	return violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** axe in the light and the dark theme (the app follows prefers-color-scheme). */
export async function expectNoAxeViolations(page: Page, where: string, include?: string) {
	for (const colorScheme of ['light', 'dark'] as const) {
		await page.emulateMedia({ colorScheme });
		expect(await seriousAxeViolations(page, include), `${where}, ${colorScheme} theme`).toEqual([]);
	}
	await page.emulateMedia({ colorScheme: null });
}

/**
 * Every visible control under `root` smaller than a 44×44 px touch target: buttons, selects,
 * sliders, disclosure summaries and the labels around checkboxes and radio buttons. Links inside
 * running text are exempt (WCAG 2.5.8's inline exception).
 */
export async function smallTargets(root: Locator): Promise<string[]> {
	return root.evaluate((el) =>
		[...el.querySelectorAll<HTMLElement>('button, select, summary, input[type=range], input[type=number], label:has(input[type=checkbox]), label:has(input[type=radio])')]
			.filter((b) => !b.closest('.sr-only') && !b.classList.contains('link'))
			.map((b) => ({ b, r: b.getBoundingClientRect() }))
			.filter(({ r }) => r.width > 0 && r.height > 0 && (r.height < 44 || r.width < 44))
			.map(({ b, r }) => `${b.dataset.testid ?? b.textContent?.trim().slice(0, 30) ?? b.tagName} ${Math.round(r.width)}x${Math.round(r.height)}`)
	);
}
