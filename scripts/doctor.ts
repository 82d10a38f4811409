// pnpm host:check — what this machine has and lacks for `pnpm e2e`, and how to get what is missing.
import { resolveImagePlan } from './lib/config.js';
import { checkHost } from './lib/host.js';
import { main, UserError } from './lib/log.js';

await main(async () => {
  const chosen = await resolveImagePlan();
  console.log(`images: ${chosen.source} (${chosen.reason})`);
  const checks = await checkHost(chosen.source === 'offline');
  for (const c of checks)
    console.log(`${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}${c.ok ? '' : `\n    fix: ${c.fix}`}`);
  const missing = checks.filter((c) => !c.ok).length;
  if (missing)
    throw new UserError(
      `${missing} check(s) failed; \`pnpm cluster:up\` (as root) installs and starts what it can`,
    );
});
