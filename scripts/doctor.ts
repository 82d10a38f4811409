// pnpm host:check — what this machine has and lacks for `pnpm e2e`, and how to get what is missing.
import { parseFlags } from './lib/args.js';
import { kubernetesRelease, resolveImagePlan } from './lib/config.js';
import { cgroupV1, checkHost } from './lib/host.js';
import { main, UserError } from './lib/log.js';

const USAGE = `usage: pnpm host:check [--k8s 1.36]

What this machine has and lacks for \`pnpm e2e\` (Docker, its userland proxy, kind, Go, inotify limits,
cgroups, where images come from), and how to get what is missing. Changes nothing; exit 1 if a check
failed.

  --k8s MINOR   1.37 (default), 1.36 or 1.35; also ROLLOUT_LAB_K8S
  -h, --help    this text`;

await main(async () => {
  const flags = parseFlags('pnpm host:check', { k8s: 'string' }, USAGE);
  const chosen = await resolveImagePlan(kubernetesRelease(flags.k8s));
  console.log(`Kubernetes ${chosen.kubernetes.minor}, images: ${chosen.source} (${chosen.reason})`);
  console.log(
    `cgroups: ${cgroupV1() ? 'v1 (the kubelet is told failCgroupV1: false, which 1.35+ needs here)' : 'v2'}`,
  );
  const checks = await checkHost(chosen.source === 'offline');
  for (const c of checks)
    console.log(
      `${c.ok ? '✓' : c.advisory ? '!' : '✗'} ${c.name}: ${c.detail}${c.ok ? '' : `\n    fix: ${c.fix}`}`,
    );
  const missing = checks.filter((c) => !c.ok && !c.advisory).length;
  if (missing)
    throw new UserError(
      `${missing} check(s) failed; \`pnpm cluster:up\` (as root) installs and starts what it can`,
    );
});
