// pnpm cluster:down — delete the kind cluster (images and build caches are kept).
import { cluster } from './lib/config.js';
import { deleteCluster, ensureKind } from './lib/kind.js';
import { main, phase } from './lib/log.js';

await main(async () => {
  const kind = await ensureKind();
  await phase(`delete cluster ${cluster.name}`, () => deleteCluster(kind));
});
