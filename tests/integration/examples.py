#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Reads the CI and Kubernetes examples (examples/*.yml, *.yaml), checks their structure, and
prints what the test runs in their place: a bash script for one CI job, or a pod's init
container command line.

  examples.py gitlab FILE                  the `test` job's script
  examples.py github FILE SHARD RUN_ID     the steps of matrix shard SHARD, expressions filled in
  examples.py kubernetes FILE POD JOB_UID  the init container's arguments, one per line
  examples.py fan-in FILE JOB              the script of the fan-in pipeline's job (build, e2e)
  examples.py migration FILE PART          the migration Job's shell script (PART job), or the
                                           application's init container arguments (PART init)
  examples.py migration-once FILE          the init container's command line, one per line
"""
import re
import shlex
import sys

import yaml


def load(path):
    with open(path) as file:
        return yaml.safe_load(file)


def gitlab(path):
    job = load(path)["test"]
    assert job["parallel"] == 4, job
    assert any("rbarrier wait" in line and "$CI_NODE_TOTAL" in line for line in job["script"])
    # as GitLab's runner does: stop at the first command that fails
    return "set -eo pipefail\n" + "\n".join(job["script"]) + "\n"


def github(path, shard, run_id):
    job = load(path)["jobs"]["test"]
    shards = job["strategy"]["matrix"]["shard"]
    assert str(shard) in map(str, shards), shards
    values = {"matrix.shard": shard, "github.run_id": run_id, "github.run_attempt": "1"}

    def fill(text):
        def value(match):
            key = match.group(1)
            if key.startswith("secrets."):
                return ""  # secrets come from the test's environment
            return str(values[key])
        return re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", value, str(text))

    lines = ["set -eo pipefail"]  # as `shell: bash` runs each step
    for name, value in job["env"].items():
        if "secrets." not in str(value):
            lines.append(f"export {name}={shlex.quote(fill(value))}")
    steps = [step for step in job["steps"] if "run" in step]
    assert any("rbarrier wait" in step["run"] for step in steps), steps
    for step in steps:
        if step.get("name") == "Install rbarrier":
            continue  # the test puts rbarrier on PATH
        lines.append(f"( {fill(step['run'])}\n)")
    return "\n".join(lines) + "\n"


def kubernetes(path, pod, job_uid):
    job = load(path)
    assert job["apiVersion"] == "batch/v1" and job["kind"] == "Job", job
    spec = job["spec"]
    pod_spec = spec["template"]["spec"]
    (init,) = pod_spec["initContainers"]
    args = init["args"]
    parties = args[args.index("--parties") + 1]
    assert int(parties) == spec["parallelism"] == spec["completions"], (parties, spec)
    assert "--once" in args and args[args.index("--id") + 1] == "$(POD_NAME)", args
    env = {item["name"]: item for item in init["env"]}
    assert env["POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name", env
    assert "controller-uid" in env["JOB_UID"]["valueFrom"]["fieldRef"]["fieldPath"], env
    assert pod_spec["containers"], pod_spec
    # as the kubelet expands $(VAR) in args
    return "\n".join(a.replace("$(POD_NAME)", pod).replace("$(JOB_UID)", job_uid) for a in args) + "\n"


def fan_in(path, name):
    pipeline = load(path)
    build, e2e = pipeline["build"], pipeline["e2e"]
    assert build["stage"] == e2e["stage"], (build, e2e)  # they run at once
    assert any("rbarrier arrive" in line for line in build["script"]), build
    assert any("rbarrier await" in line for line in e2e["script"]), e2e
    return "set -eo pipefail\n" + "\n".join(pipeline[name]["script"]) + "\n"


def migration(path, part):
    with open(path) as file:
        job, deployment = yaml.safe_load_all(file)
    assert job["kind"] == "Job" and deployment["kind"] == "Deployment", (job, deployment)
    (migrate,) = job["spec"]["template"]["spec"]["containers"]
    (init,) = deployment["spec"]["template"]["spec"]["initContainers"]
    if part == "job":
        assert migrate["command"] == ["sh", "-c"], migrate
        assert "--once" in migrate["args"][0], migrate
        return migrate["args"][0]
    env = {item["name"]: item.get("value") for item in init["env"]}
    # as the kubelet expands $(VAR) in args
    return "\n".join(re.sub(r"\$\((\w+)\)", lambda m: env[m.group(1)], a)
                     for a in init["args"]) + "\n"


def migration_once(path):
    (deployment,) = load_all(path)
    assert deployment["kind"] == "Deployment" and deployment["spec"]["replicas"] > 1, deployment
    (init,) = deployment["spec"]["template"]["spec"]["initContainers"]
    command = init["command"]
    assert command[0] == "rbarrier" and "once" in command, command
    assert command[command.index("--") + 1:] == ["./migrate", "up"], command
    env = {item["name"]: item.get("value") for item in init["env"]}
    return "\n".join(re.sub(r"\$\((\w+)\)", lambda m: env[m.group(1)], a)
                     for a in command[1:]) + "\n"


def load_all(path):
    with open(path) as file:
        return list(yaml.safe_load_all(file))


if __name__ == "__main__":
    kind, path, *rest = sys.argv[1:]
    sys.stdout.write({"gitlab": gitlab, "github": github, "kubernetes": kubernetes,
                      "fan-in": fan_in, "migration": migration,
                      "migration-once": migration_once}[kind](path, *rest))
