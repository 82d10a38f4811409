import { runService } from '@rollout-lab/service-kit';

runService({
  version: 'v2',
  text: 'This is Version2 service',
  features: {
    // The seed's canary lets users "preview the new feature": v2 has it, v1 answers 404.
    '/preview': (_req, res) => {
      res.json({ feature: 'preview', version: 'v2', message: 'You are previewing the new feature.' });
    },
  },
});
