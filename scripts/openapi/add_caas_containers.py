#!/usr/bin/env python3
"""Adds the CaaS container and usage operations to docs/openapi.json (idempotent: re-running replaces them)."""
import json
import pathlib

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
ROLES = ("Organization roles, weakest first: `viewer` reads; `developer` deploys and operates; "
         "`admin` manages members and settings; `owner` also deletes.")


def ref(kind, name):
    return {"$ref": f"#/components/{kind}/{name}"}


def strings(max_items, max_length):
    return {"type": "array", "maxItems": max_items, "items": {"type": "string", "maxLength": max_length}}


SCHEMAS = {
    "ContainerPort": {
        "type": "object", "additionalProperties": False, "required": ["container_port"],
        "properties": {
            "container_port": {"type": "integer", "minimum": 1, "maximum": 65535},
            "protocol": {"type": "string", "enum": ["tcp", "udp"], "default": "tcp"},
            "public": {"type": "boolean", "default": True,
                       "description": "Reachable through the edge router; private ports are reachable from the organization's own services only."},
        },
    },
    "ContainerVolumeMount": {
        "type": "object", "additionalProperties": False, "required": ["volume_id", "mount_path"],
        "properties": {
            "volume_id": {"type": "string", "maxLength": 36, "pattern": UUID},
            "mount_path": {"type": "string", "maxLength": 255, "pattern": "^/[A-Za-z0-9._/-]*$"},
            "read_only": {"type": "boolean", "default": False},
        },
    },
    "ContainerHealthcheck": {
        "type": "object", "additionalProperties": False, "required": ["type"],
        "description": "http probes http://127.0.0.1:<port><path> with wget; tcp connects to the port with nc; cmd runs command with /bin/sh -c. "
                       "The image must provide wget, nc or sh accordingly. A new version that fails its health check is rolled back automatically.",
        "properties": {
            "type": {"type": "string", "enum": ["http", "tcp", "cmd"]},
            "port": {"type": "integer", "minimum": 1, "maximum": 65535},
            "path": {"type": "string", "maxLength": 1024, "pattern": "^/[^\\s'\"`;|&$<>\\\\]*$"},
            "command": {"type": "string", "maxLength": 4096},
            "interval_s": {"type": "integer", "minimum": 1, "maximum": 3600},
            "timeout_s": {"type": "integer", "minimum": 1, "maximum": 600},
            "retries": {"type": "integer", "minimum": 1, "maximum": 100},
            "start_period_s": {"type": "integer", "minimum": 0, "maximum": 3600},
        },
    },
    "ContainerResources": {
        "type": "object", "additionalProperties": False,
        "properties": {
            "cpu": {"type": "number", "exclusiveMinimum": 0, "maximum": 64, "default": 0.5},
            "memory_mb": {"type": "integer", "minimum": 6, "maximum": 1048576, "default": 256},
        },
    },
    "ContainerCreate": {
        "type": "object", "additionalProperties": False, "required": ["name", "image_ref"],
        "properties": {
            "name": {"type": "string", "maxLength": 63, "pattern": "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"},
            "image_ref": {"type": "string", "maxLength": 512, "pattern": "^[A-Za-z0-9][A-Za-z0-9._/:@-]*$"},
            "entrypoint": strings(64, 4096),
            "cmd": strings(256, 4096),
            "env_vars": {"type": "object", "maxProperties": 200, "additionalProperties": {"type": "string", "maxLength": 32768},
                         "description": "Plain configuration. Names: letters, digits and _, not starting with a digit or SKYPANEL_."},
            "secrets": {"type": "object", "maxProperties": 50, "additionalProperties": {"type": "string", "maxLength": 65536},
                        "description": "Stored encrypted; mounted as files /run/secrets/<NAME> (Swarm secrets), never as environment "
                                       "variables, never returned after creation (only names are shown)."},
            "ports": {"type": "array", "maxItems": 16, "items": ref("schemas", "ContainerPort")},
            "volumes": {"type": "array", "maxItems": 16, "items": ref("schemas", "ContainerVolumeMount")},
            "healthcheck": ref("schemas", "ContainerHealthcheck"),
            "resources": ref("schemas", "ContainerResources"),
            "replicas": {"type": "integer", "minimum": 0, "maximum": 100, "default": 1},
            "restart_policy": {"type": "string", "enum": ["none", "on-failure", "any"], "default": "any"},
            "plan_id": {"type": "string", "maxLength": 36, "pattern": UUID},
            "region": {"type": "string", "maxLength": 32, "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
        },
    },
    "Container": {
        "type": "object",
        "properties": {
            "id": {"type": "string"}, "name": {"type": "string"}, "image_ref": {"type": "string"},
            "image_digest": {"type": ["string", "null"], "description": "The digest the running tasks use, when the engine reports one."},
            "env_vars": {"type": "object"}, "secrets": {"type": "array", "items": {"type": "string"}, "description": "Names only."},
            "ports": {"type": "array"}, "volumes": {"type": "array"}, "healthcheck": {"type": ["object", "null"]},
            "resources": {"type": "object"}, "replicas": {"type": "integer"},
            "desired_replicas": {"type": "integer", "description": "0 while stopped."},
            "running_replicas": {"type": "integer"},
            "status": {"type": "string", "enum": ["pending", "deploying", "running", "degraded", "failed", "stopped", "deleting"]},
            "status_reason": {"type": ["string", "null"]},
            "default_domain": {"type": ["string", "null"]},
            "endpoints": {"type": "array", "description": "Where the running tasks' ports are published: [{address, port, container_port, protocol, task_id}].",
                          "items": {"type": "object"}},
            "last_deploy": {"type": ["object", "null"], "description": "{state: deployed|rolled_back, generation, image|failed_image, message}."},
            "created_at": {"type": "string"}, "updated_at": {"type": "string"},
        },
    },
    "ContainerPage": {"type": "object", "properties": {"data": {"type": "array", "items": ref("schemas", "Container")},
                                                          "next_cursor": {"type": ["string", "null"]}}},
    "ContainerDeploy": {"type": "object", "additionalProperties": False, "required": ["image_ref"],
                        "properties": {"image_ref": {"type": "string", "maxLength": 512, "pattern": "^[A-Za-z0-9][A-Za-z0-9._/:@-]*$"}}},
    "ContainerScale": {"type": "object", "additionalProperties": False, "required": ["replicas"],
                       "properties": {"replicas": {"type": "integer", "minimum": 0, "maximum": 100}}},
    "ContainerEnvPatch": {"type": "object", "minProperties": 1, "maxProperties": 200,
                          "additionalProperties": {"type": ["string", "null"], "maxLength": 32768},
                          "description": "Heroku semantics: a string sets the variable, null deletes it."},
    "ContainerEvent": {"type": "object", "properties": {
        "id": {"type": "string"}, "type": {"type": "string"}, "source": {"type": "string", "enum": ["platform", "swarm"]},
        "message": {"type": "string"}, "metadata": {"type": "object"}, "user_id": {"type": ["string", "null"]}, "created_at": {"type": "string"}}},
    "ContainerEventPage": {"type": "object", "properties": {"data": {"type": "array", "items": ref("schemas", "ContainerEvent")},
                                                               "next_cursor": {"type": ["string", "null"]}}},
    "CaasUsage": {"type": "object", "properties": {"limits": {"type": "object"}, "used": {"type": "object"}}},
}

PARAMETERS = {
    "containerId": {"name": "containerId", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 36, "pattern": UUID}},
    "IdempotencyKey": {"name": "Idempotency-Key", "in": "header", "required": False,
                       "description": "Makes the request safe to retry: the same key and body within 24 h return the first answer "
                                      "(Idempotent-Replayed: true) without acting twice; 409 while the first is running; 422 for a different body.",
                       "schema": {"type": "string", "maxLength": 255, "pattern": "^[A-Za-z0-9_.:-]{1,255}$"}},
}


def errors(*codes):
    names = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict", 422: "Unprocessable"}
    return {str(code): ref("responses", names[code]) for code in codes}


def json_body(schema_name):
    return {"required": True, "content": {"application/json": {"schema": ref("schemas", schema_name)}}}


def ok(status, description, schema_name):
    return {str(status): {"description": description, "content": {"application/json": {"schema": ref("schemas", schema_name)}}}}


def operation(op_id, summary, description, role, params, responses, body=None):
    op = {"operationId": op_id, "tags": ["caas"], "summary": summary,
          "description": f"{description} Requires the `{role}` role in the organization named by X-Organization-Id. {ROLES}",
          "parameters": [ref("parameters", "OrganizationId")] + params, "responses": responses}
    if body:
        op["requestBody"] = json_body(body)
    return op


def action(op_id, summary, description, body=None, status=202):
    return {"post": operation(op_id, summary, description, "developer",
                              [ref("parameters", "containerId"), ref("parameters", "IdempotencyKey")],
                              {**ok(status, "The container, with its new desired state.", "Container"), **errors(400, 401, 403, 404, 409, 422)},
                              body)}


PATHS = {
    "/api/caas/containers": {
        "get": operation("listContainers", "List containers", "The organization's containers, newest first.", "viewer",
                         [ref("parameters", "Limit"), ref("parameters", "Cursor"),
                          {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["pending", "deploying", "running", "degraded", "failed", "stopped"]}},
                          {"name": "region", "in": "query", "schema": {"type": "string", "maxLength": 32, "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}},
                          {"name": "search", "in": "query", "description": "Substring of the name or image.",
                           "schema": {"type": "string", "maxLength": 100}}],
                         {**ok(200, "A page of containers.", "ContainerPage"), **errors(400, 401, 403, 404)}),
        "post": operation("createContainer", "Create a container",
                          "Runs a customer image as a hardened Swarm service (capabilities dropped, no privileges, resource limits, "
                          "the organization's own network). Checked against the image policy (422 image_policy_violation naming the rule) "
                          "and the plan's quotas (422 quota_exceeded); nothing is created when a check fails.", "developer",
                          [ref("parameters", "IdempotencyKey")],
                          {**ok(202, "Accepted; Swarm converges asynchronously (see status).", "Container"), **errors(400, 401, 403, 404, 409, 422)},
                          "ContainerCreate"),
    },
    "/api/caas/containers/{containerId}": {
        "get": operation("getContainer", "Get a container", "Status (pending|deploying|running|degraded|failed|stopped), desired and running "
                         "replicas, the image digest running, and the endpoints of its tasks.", "viewer",
                         [ref("parameters", "containerId")], {**ok(200, "The container.", "Container"), **errors(400, 401, 403, 404)}),
        "delete": operation("deleteContainer", "Delete a container", "Removes the Swarm service and secrets, then the container.", "developer",
                            [ref("parameters", "containerId"), ref("parameters", "IdempotencyKey")],
                            {**ok(202, "Deletion accepted (status deleting).", "Container"), **errors(400, 401, 403, 404, 409)}),
    },
    "/api/caas/containers/{containerId}/deploy": action("deployContainer", "Deploy a new image",
        "Rolling update, start-first; a new task that fails its health check is rolled back automatically and last_deploy says so.", "ContainerDeploy"),
    "/api/caas/containers/{containerId}/scale": action("scaleContainer", "Scale", "Sets the replica count (quota-checked).", "ContainerScale"),
    "/api/caas/containers/{containerId}/restart": action("restartContainer", "Restart", "Replaces every task, one at a time, keeping the spec."),
    "/api/caas/containers/{containerId}/stop": action("stopContainer", "Stop", "Scales to zero, keeping the replica count for start."),
    "/api/caas/containers/{containerId}/start": action("startContainer", "Start", "Scales back to the configured replica count."),
    "/api/caas/containers/{containerId}/rollback": action("rollbackContainer", "Roll back",
        "Returns to the spec before the last change (image, config vars, resources); 422 nothing_to_roll_back without one."),
    "/api/caas/containers/{containerId}/env": {
        "get": operation("getContainerEnv", "Get config vars", "The container's environment variables (secrets are not included).", "viewer",
                         [ref("parameters", "containerId")],
                         {"200": {"description": "Name to value.", "content": {"application/json": {"schema": {"type": "object"}}}}, **errors(400, 401, 403, 404)}),
        "patch": operation("patchContainerEnv", "Change config vars", "Heroku semantics (null deletes), applied as a rolling update.", "developer",
                           [ref("parameters", "containerId"), ref("parameters", "IdempotencyKey")],
                           {"200": {"description": "The resulting variables.", "content": {"application/json": {"schema": {"type": "object"}}}},
                            **errors(400, 401, 403, 404, 409)}, "ContainerEnvPatch"),
    },
    "/api/caas/containers/{containerId}/events": {
        "get": operation("getContainerEvents", "Container timeline", "Create, deploy, scale, restart, rollback, failures and repairs, "
                         "from the platform's own actions and from Swarm, newest first.", "viewer",
                         [ref("parameters", "containerId"), ref("parameters", "Limit"), ref("parameters", "Cursor")],
                         {**ok(200, "A page of events.", "ContainerEventPage"), **errors(400, 401, 403, 404)}),
    },
    "/api/caas/containers/{containerId}/metrics": {
        "get": operation("getContainerMetrics", "Container metrics", "One docker stats sample per running task: cpu_percent, memory_bytes, "
                         "memory_limit_bytes, network_rx_bytes, network_tx_bytes.", "viewer", [ref("parameters", "containerId")],
                         {"200": {"description": "Per-task figures.", "content": {"application/json": {"schema": {"type": "object"}}}}, **errors(400, 401, 403, 404)}),
    },
    "/api/caas/usage": {
        "get": operation("getCaasUsage", "Usage against limits", "What the organization uses (containers, replicas, cpu, memory, volumes, "
                         "domains) against its plan and isolation tier.", "viewer", [],
                         {**ok(200, "Limits and usage.", "CaasUsage"), **errors(400, 401, 403, 404)}),
    },
}

doc = json.loads(DOC.read_text())
doc["components"]["schemas"].update(SCHEMAS)
doc["components"]["parameters"].update(PARAMETERS)
doc["paths"].update(PATHS)
if not any(tag.get("name") == "caas" for tag in doc.get("tags", [])):
    doc.setdefault("tags", []).append({"name": "caas", "description": "Customers' containers on Docker Swarm."})
DOC.write_text(json.dumps(doc, indent=2) + "\n")
print("added", len(PATHS), "paths")
