// What `pnpm tutorial` says, in the seed's language and in English. Keys are the same in both; a test
// checks that.

export type Lang = 'ko' | 'en';
export const STEPS = ['deploy', 'rolling', 'history', 'undo', 'canary', 'bluegreen'] as const;
export type Step = (typeof STEPS)[number];

export const TEXT: Record<Lang, Record<string, string>> = {
  ko: {
    intro:
      '무중단 업그레이드/롤백 튜토리얼을 네임스페이스 NS에서 따라갑니다. 단계마다 하는 일과 명령을 보여 주고, 그동안 모든 요청을 셉니다.',
    enter: '  Enter를 누르면 시작합니다… ',
    noCluster: '클러스터에 닿을 수 없습니다. 먼저 pnpm cluster:up 과 pnpm images 를 실행하세요.',
    url: '서비스 주소:',
    requests: '요청',
    failed: '실패',
    total: '전체',
    summary: '요약',
    done: '끝: 모든 단계에서 실패한 요청이 0입니다.',
    failedRequests: '실패한 요청이 N개 있습니다. 위의 차트와 단계별 요약을 보세요.',
    'deploy.title': '4–5. v1 배포',
    'deploy.what':
      'Deployment deploy-myapp(복제본 3개)과 NodePort Service svc-myapp를 만들고, 모든 파드가 준비될 때까지 기다립니다 (kubectl rollout status).',
    'rolling.title': '6. 롤링 업데이트 v1 → v2',
    'rolling.what':
      '이미지를 v2로 바꿉니다 (kubectl set image). 새 파드 하나가 준비되어야 옛 파드 하나가 빠집니다. change-cause는 같은 패치에 기록합니다.',
    'history.title': '7. 롤아웃 히스토리',
    'history.what': '리비전과 change-cause를 봅니다 (kubectl rollout history).',
    'undo.title': '7. 리비전 1로 롤백',
    'undo.what':
      '리비전 1의 템플릿으로 되돌립니다 (kubectl rollout undo --to-revision=1). 리비전 1은 3이 됩니다.',
    'canary.title': '카나리 50 % → 승격',
    'canary.what':
      'app: myapp을 함께 쓰는 두 Deployment의 복제본 비율로 트래픽을 나눕니다. 50 %로 나눈 뒤, 카나리의 템플릿을 stable로 승격합니다.',
    'bluegreen.title': 'Blue/Green 전환',
    'bluegreen.what':
      'green을 늘리고 모두 준비되면 Service의 selector를 green으로 바꿉니다. 잠시 후 blue를 줄입니다.',
  },
  en: {
    intro:
      'The zero-downtime upgrade/rollback tutorial, in namespace NS. Each step says what it does and the commands it runs; meanwhile every request is counted.',
    enter: '  Press Enter to run it… ',
    noCluster: 'cannot reach the cluster: run pnpm cluster:up and pnpm images first',
    url: 'the service:',
    requests: 'requests',
    failed: 'failed',
    total: 'all steps',
    summary: 'summary',
    done: 'done: not one request failed in any step.',
    failedRequests: 'N requests failed; see the charts and the summary above',
    'deploy.title': '4–5. deploy v1',
    'deploy.what':
      'Creates Deployment deploy-myapp (3 replicas) and NodePort Service svc-myapp, and waits until every pod is ready (kubectl rollout status).',
    'rolling.title': '6. rolling update v1 → v2',
    'rolling.what':
      'Sets the image to v2 (kubectl set image): an old pod goes only when a new one is ready. The change-cause is written in the same patch.',
    'history.title': '7. rollout history',
    'history.what': 'Revisions and their change-causes (kubectl rollout history).',
    'undo.title': '7. undo to revision 1',
    'undo.what':
      "Back to revision 1's template (kubectl rollout undo --to-revision=1); revision 1 becomes 3.",
    'canary.title': 'canary 50 % → promote',
    'canary.what':
      'Two Deployments share app: myapp, so their replica ratio splits the traffic: 50 %, then the stable one takes the canary’s template.',
    'bluegreen.title': 'blue/green switch',
    'bluegreen.what':
      'Scales green up, and once it is all ready switches the Service selector to green; blue goes down after a delay.',
  },
};

export function say(lang: Lang, key: string): string {
  const text = TEXT[lang][key];
  if (text === undefined) throw new Error(`tutorial text: no "${key}" in ${lang}`);
  return text;
}
