"""Expand a SAM template to CloudFormation offline and print it as JSON.

Used by infra/permissions_test.go: the expanded template has each
function's IAM role as AWS deploys it, with what SAM adds for Lambda itself
(execution roles of the event sources, on-failure destinations). It runs
the aws-sam-translator that cfn-lint installs, as cfn-lint does: function
code as s3:// URIs (the translator refuses local paths), AWS_DEFAULT_REGION
set, and no managed-policy names to look up (the template uses none).

Usage: python3 infra/samexpand.py template.yaml > expanded.json
"""

import json
import os
import sys

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

from samtranslator.translator.transform import transform  # noqa: E402
from samtranslator.yaml_helper import yaml_parse  # noqa: E402


class NoManagedPolicies:
    """The managed-policy loader: the template names none by bare name."""

    def load(self):
        return {}


def main(path):
    with open(path) as f:
        template = yaml_parse(f.read())
    globals_fn = template.get("Globals", {}).get("Function", {})
    if "CodeUri" in globals_fn:
        globals_fn["CodeUri"] = "s3://closeloop-permissions-test/code.zip"
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource.setdefault("Properties", {})["CodeUri"] = (
                "s3://closeloop-permissions-test/%s.zip" % logical_id
            )
    expanded = transform(template, {}, NoManagedPolicies())
    json.dump(expanded, sys.stdout, indent=1, sort_keys=True, default=str)


if __name__ == "__main__":
    main(sys.argv[1])
