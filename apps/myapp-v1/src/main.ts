import { runService } from '@rollout-lab/service-kit';

runService({ version: 'v1', text: 'This is Version1 service' });
