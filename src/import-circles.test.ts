import madge from 'madge';
import { describe, expect, it } from 'vitest';

/**
 * No module may import itself back, directly or through others (type imports count too): a circle
 * means two modules are one in disguise, and the order they load in decides what works.
 */
describe('import circles', () => {
  it.each([
    ['src', ['ts'], 'tsconfig.json', 100],
    ['web/src', ['ts', 'tsx'], 'web/tsconfig.json', 20],
  ])('none in %s', async (dir, fileExtensions, tsConfig, atLeast) => {
    const graph = await madge(dir, { fileExtensions, tsConfig });
    // The check is only worth something if it read the code: an empty graph has no circles either.
    expect(Object.keys(graph.obj()).length).toBeGreaterThan(atLeast);
    expect(graph.circular()).toEqual([]);
  }, 60_000);

  it("keeps the web app's shared/ folder below the areas that use it", async () => {
    const graph = (await madge('web/src', { fileExtensions: ['ts', 'tsx'], tsConfig: 'web/tsconfig.json' })).obj();
    const shared = Object.keys(graph).filter((file) => file.startsWith('shared/'));
    expect(shared.length).toBeGreaterThan(10);
    const upward = shared.flatMap((file) =>
      graph[file].filter((dep) => /^(inbox|contacts|settings|reports|portal)\//.test(dep)).map((dep) => `${file} -> ${dep}`),
    );
    expect(upward).toEqual([]);
  }, 60_000);
});
