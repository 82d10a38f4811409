module rollout-lab/pause

go 1.22
