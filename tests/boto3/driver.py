"""Calls managed integrations through boto3, an AWS client c2c-kit does not write.

Reads one JSON document on stdin:
  {"endpoint": url, "region": r, "credentials": {"accessKeyId", "secretAccessKey", "sessionToken"?},
   "validate": true, "calls": [{"operation": "ListManagedThings", "input": {...}}, ...]}
and prints one JSON array on stdout, one entry per call:
  {"ok": true, "status": 200, "output": {...}}                     the parsed response
  {"ok": false, "status": 404, "code": "ResourceNotFoundException", "message": "..."}
  {"ok": false, "clientError": "ParamValidationError", "message": "..."}  refused before sending
Timestamps come back as ISO 8601 text. botocore retries are off: every call is sent once.
"""

import datetime
import json
import sys

import boto3
import botocore.exceptions
from botocore import xform_name
from botocore.config import Config


def plain(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    if hasattr(value, "read"):
        return value.read().decode("utf-8", "replace")
    raise TypeError(f"cannot serialise {type(value).__name__}")


def main():
    job = json.load(sys.stdin)
    creds = job["credentials"]
    client = boto3.session.Session().client(
        "iot-managed-integrations",
        region_name=job["region"],
        endpoint_url=job["endpoint"],
        aws_access_key_id=creds["accessKeyId"],
        aws_secret_access_key=creds["secretAccessKey"],
        aws_session_token=creds.get("sessionToken"),
        config=Config(
            retries={"total_max_attempts": 1, "mode": "standard"},
            parameter_validation=job.get("validate", True),
            connect_timeout=5,
            read_timeout=15,
        ),
    )
    results = []
    for call in job["calls"]:
        method = getattr(client, xform_name(call["operation"]))
        try:
            output = method(**call.get("input", {}))
            meta = output.pop("ResponseMetadata", {})
            results.append({"ok": True, "status": meta.get("HTTPStatusCode"), "output": output})
        except botocore.exceptions.ClientError as error:
            response = error.response
            results.append(
                {
                    "ok": False,
                    "status": response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
                    "code": response.get("Error", {}).get("Code"),
                    "message": response.get("Error", {}).get("Message"),
                }
            )
        except (botocore.exceptions.ParamValidationError, botocore.exceptions.BotoCoreError) as error:
            results.append({"ok": False, "clientError": type(error).__name__, "message": str(error)})
    json.dump(results, sys.stdout, default=plain)


if __name__ == "__main__":
    main()
