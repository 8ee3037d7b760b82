# SPDX-License-Identifier: Apache-2.0
"""The examples' Kubernetes manifests made into what `podman kube play` (4.3) runs: Pods.

    kube.py MANIFEST OUT_DIR URL IMAGE=LOCAL... [--replicas N]

Only what a cluster would have provided changes: each image named IMAGE becomes LOCAL, every
RBARRIER_URL becomes URL (the test's server), and what podman 4.3 does not do is done here, as a
cluster's controllers and kubelet would: a Job's pod template becomes `parallelism` pods (named
JOB-0, JOB-1, ..., labelled with the Job's uid as the Job controller labels them), a
Deployment's `replicas` pods (or --replicas N); $(VAR) in a container's command and args is
expanded from its env (values, and the pod's name and labels by fieldRef); and a pod restarted
Always is restarted Never, since podman restarts an init container that succeeded under
Always (a test wants one failure to look at, not a crash loop). Each pod is written to
OUT_DIR/POD.yaml; the pods' names are printed, one per line, in order. Test helper only.
"""
import copy
import os
import re
import sys
import uuid

import yaml


def field(pod, path):
    """The value of a fieldRef: metadata.name, metadata.labels['KEY']."""
    if path == "metadata.name":
        return pod["metadata"]["name"]
    label = re.fullmatch(r"metadata\.labels\['([^']+)'\]", path)
    if label:
        return pod["metadata"].get("labels", {}).get(label.group(1), "")
    raise SystemExit("kube.py: cannot resolve fieldRef %s" % path)


def substitute(pod, url, images):
    spec = pod["spec"]
    if spec.get("restartPolicy", "Always") == "Always":
        spec["restartPolicy"] = "Never"
    for container in spec.get("initContainers", []) + spec.get("containers", []):
        if container["image"] not in images:
            raise SystemExit("kube.py: no local image for %s" % container["image"])
        container["image"] = images[container["image"]]
        values = {}
        for env in container.get("env", []):
            if env["name"] == "RBARRIER_URL":
                env["value"] = url
            if "value" in env:
                values[env["name"]] = env["value"]
            elif "fieldRef" in env.get("valueFrom", {}):
                values[env["name"]] = field(pod, env["valueFrom"]["fieldRef"]["fieldPath"])
        for key in ("command", "args"):
            if key in container:
                container[key] = [re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                                         lambda m: values.get(m.group(1), m.group(0)), arg)
                                  for arg in container[key]]


def pods(document, replicas):
    kind, name = document["kind"], document["metadata"]["name"]
    if kind == "Pod":
        yield name, document
        return
    template = document["spec"]["template"]
    labels = {}
    if kind == "Job":
        count = document["spec"].get("parallelism", 1)
        labels = {"batch.kubernetes.io/controller-uid": str(uuid.uuid4()), "job-name": name}
    elif kind == "Deployment":
        count = document["spec"].get("replicas", 1)
    else:
        raise SystemExit("kube.py: cannot play a %s" % kind)
    for i in range(replicas if replicas is not None and kind == "Deployment" else count):
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": copy.deepcopy(template.get("metadata", {})),
               "spec": copy.deepcopy(template["spec"])}
        pod["metadata"]["name"] = "%s-%d" % (name, i)
        pod["metadata"].setdefault("labels", {}).update(labels)
        yield pod["metadata"]["name"], pod


def main():
    args = sys.argv[1:]
    replicas = None
    if "--replicas" in args:
        at = args.index("--replicas")
        replicas = int(args[at + 1])
        del args[at:at + 2]
    manifest, out, url = args[:3]
    images = dict(arg.split("=", 1) for arg in args[3:])
    with open(manifest) as f:
        documents = [d for d in yaml.safe_load_all(f) if d]
    for document in documents:
        for name, pod in pods(document, replicas):
            substitute(pod, url, images)
            with open(os.path.join(out, name + ".yaml"), "w") as f:
                yaml.safe_dump(pod, f, sort_keys=False)
            print(name)


if __name__ == "__main__":
    main()
