#!/usr/bin/env python3
"""Adds the CaaS volume, snapshot and restore operations to docs/openapi.json (idempotent: re-running replaces them).

Loads the current document, adds or replaces only what belongs to volumes, and writes it back at once, so the
operations other features added in the meantime are kept.
"""
import json
import pathlib

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
NAME = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
ROLES = ("Organization roles, weakest first: `viewer` reads; `developer` deploys and operates; "
         "`admin` manages members and settings; `owner` also deletes.")
TENANCY = "Acts in the organization named by X-Organization-Id (default: the caller's personal organization). "


def ref(kind, name):
    return {"$ref": f"#/components/{kind}/{name}"}


def nullable(schema):
    copy = dict(schema)
    copy["type"] = [schema["type"], "null"]
    return copy


def error(description, code, message):
    return {"description": description,
            "content": {"application/json": {"schema": ref("schemas", "Error"),
                                             "example": {"error": {"code": code, "message": message}}}}}


def json_body(schema_name, description):
    return {"description": description, "content": {"application/json": {"schema": ref("schemas", schema_name)}}}


ORG_REQUIRED_422 = error("No X-Organization-Id and the caller has no personal organization.",
                         "organization_required", "you have no personal organization; name one in X-Organization-Id")
UNAVAILABLE_503 = error("The container runtime did not do its part; nothing changed. Try again later.",
                        "orchestration_failed", "the volume could not be created on the container runtime; nothing was created, try again later")


def operation(op_id, summary, role, description, write, parameters, responses, body=None):
    text = TENANCY + f"Requires membership with at least the `{role}` role. {ROLES} {description}"
    if write:
        text += " API tokens need the `write` scope."
    op = {"operationId": op_id, "tags": ["caas"], "summary": summary, "description": text,
          "parameters": [ref("parameters", "OrganizationId")] + parameters}
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref("schemas", body)}}}
    standard = {"400": ref("responses", "BadRequest"), "401": ref("responses", "Unauthorized"),
                "403": ref("responses", "Forbidden"), "404": ref("responses", "NotFound"), "422": ORG_REQUIRED_422}
    merged = dict(responses)
    for status, response in standard.items():
        merged.setdefault(status, response)
    op["responses"] = dict(sorted(merged.items()))
    return op


PAGE = [ref("parameters", "Limit"), ref("parameters", "Cursor")]
VOLUME = [ref("parameters", "volumeId")]
SNAPSHOT = [ref("parameters", "volumeId"), ref("parameters", "snapshotId")]
TIMESTAMP = {"type": "string", "format": "date-time", "maxLength": 64}
ID = {"type": "string", "format": "uuid", "maxLength": 36}

SCHEMAS = {
    "Volume": {
        "type": "object",
        "description": "A named Docker volume of the organization, mountable by its containers.",
        "required": ["id", "name", "size_gb", "region", "status", "status_reason", "docker_volume_name",
                     "restore_snapshot_id", "created_at", "updated_at"],
        "properties": {
            "id": ID,
            "name": {"type": "string", "maxLength": 63},
            "size_gb": {"type": "integer", "minimum": 1,
                        "description": "Provisioned size; counts against the plan's max_volume_gb (total of all volumes)."},
            "region": {"type": "string", "maxLength": 32},
            "status": {"type": "string",
                       "enum": ["pending", "available", "in_use", "resizing", "restoring", "deleting", "failed"],
                       "description": "`pending` while being created; `restoring` while a snapshot is restored into it, then "
                                      "`available`, or `failed` with `status_reason`."},
            "status_reason": nullable({"type": "string", "maxLength": 2000,
                                       "description": "Why the volume is `failed` (e.g. a restore that did not succeed)."}),
            "docker_volume_name": {"type": "string", "maxLength": 255, "pattern": "^v-[0-9a-f-]{36}$",
                                   "description": "The name on the Docker side, chosen by the platform: `v-<volume id>`."},
            "restore_snapshot_id": nullable({"type": "string", "format": "uuid", "maxLength": 36,
                                             "description": "The snapshot being restored into the volume, or last restored."}),
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        },
    },
    "VolumePage": {
        "type": "object", "required": ["data", "next_cursor"],
        "description": "A page of the organization's volumes, newest first.",
        "properties": {
            "data": {"type": "array", "items": ref("schemas", "Volume")},
            "next_cursor": {"type": ["string", "null"], "maxLength": 200,
                            "description": "Opaque position after the last item of this page, or null when there are no more items."},
        },
    },
    "CreateVolumeRequest": {
        "type": "object", "additionalProperties": False, "required": ["name", "size_gb"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 63, "pattern": NAME,
                     "description": "Unique in the organization.", "examples": ["pgdata"]},
            "size_gb": {"type": "integer", "minimum": 1, "maximum": 65536,
                        "description": "At most what the plan's max_volume_gb leaves (it bounds the total of all volumes)."},
            "region": {"type": "string", "minLength": 1, "maxLength": 32, "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
                       "description": "Default: the installation's own region, currently the only one volumes can be created in."},
        },
    },
    "VolumeSnapshot": {
        "type": "object",
        "description": "A point-in-time tar archive of a volume's files, kept in the platform's snapshot store.",
        "required": ["id", "volume_id", "status", "size_bytes", "sha256", "error", "started_at", "completed_at",
                     "created_at", "updated_at"],
        "properties": {
            "id": ID,
            "volume_id": ID,
            "status": {"type": "string", "enum": ["pending", "running", "completed", "failed"]},
            "size_bytes": {"type": ["integer", "null"], "minimum": 0, "description": "Size of the archive once completed."},
            "sha256": {"type": ["string", "null"], "pattern": "^[0-9a-f]{64}$", "maxLength": 64,
                       "description": "SHA-256 of the archive once completed; checked again before every restore."},
            "error": nullable({"type": "string", "maxLength": 2000, "description": "Why the snapshot failed."}),
            "started_at": nullable(TIMESTAMP),
            "completed_at": nullable(TIMESTAMP),
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
        },
    },
    "VolumeSnapshotPage": {
        "type": "object", "required": ["data", "next_cursor"],
        "description": "A page of a volume's snapshots, newest first.",
        "properties": {
            "data": {"type": "array", "items": ref("schemas", "VolumeSnapshot")},
            "next_cursor": {"type": ["string", "null"], "maxLength": 200,
                            "description": "Opaque position after the last item of this page, or null when there are no more items."},
        },
    },
    "RestoreVolumeSnapshotRequest": {
        "type": "object", "additionalProperties": False, "required": ["target"],
        "properties": {
            "target": {"type": "string", "enum": ["same", "new"],
                       "description": "`same`: replace the content of the snapshot's own volume; `new`: restore into a new volume "
                                      "of the same size (counted against the plan like a create)."},
            "name": {"type": "string", "minLength": 1, "maxLength": 63, "pattern": NAME,
                     "description": "Name of the new volume; required with target `new`, not allowed with `same`."},
        },
    },
}

PARAMETERS = {
    "volumeId": {"name": "volumeId", "in": "path", "required": True, "description": "The volume id.",
                 "schema": {"type": "string", "minLength": 36, "maxLength": 36, "pattern": UUID}},
    "snapshotId": {"name": "snapshotId", "in": "path", "required": True, "description": "The snapshot id.",
                   "schema": {"type": "string", "minLength": 36, "maxLength": 36, "pattern": UUID}},
}

BUSY = "the volume is restoring; try again when it is available"

PATHS = {
    "/api/caas/volumes": {
        "get": operation("listVolumes", "List volumes", "viewer", "The organization's volumes, newest first.", False, PAGE,
                         {"200": json_body("VolumePage", "A page of volumes.")}),
        "post": operation(
            "createVolume", "Create a volume", "developer",
            "Creates a named Docker volume (`v-<volume id>`, labelled skypanel.org and skypanel.volume). The organization's plan "
            "(or the platform's default plan) limits the number of volumes (max_volumes) and their total size in GB "
            "(max_volume_gb); beyond either the answer is 422 `quota_exceeded` naming the limit, and nothing is created.",
            True, [],
            {"201": json_body("Volume", "The new volume, `available`."),
             "409": error("The organization already has a volume with this name.", "volume_name_taken",
                          "the organization already has a volume named 'pgdata'"),
             "422": error("A plan limit would be exceeded (`quota_exceeded`, naming max_volumes or max_volume_gb), the region "
                          "is not this installation's (`unsupported_region`), or no X-Organization-Id and no personal organization.",
                          "quota_exceeded", "quota exceeded (max_volumes): volumes are limited to 1 on plan 'hobby' (the organization has 1)"),
             "503": UNAVAILABLE_503},
            body="CreateVolumeRequest"),
    },
    "/api/caas/volumes/{volumeId}": {
        "get": operation("getVolume", "Get a volume", "viewer",
                         "Poll it to follow a restore (`restoring` until `available` or `failed`).", False, VOLUME,
                         {"200": json_body("Volume", "The volume.")}),
        "delete": operation(
            "deleteVolume", "Delete a volume", "developer",
            "Removes the volume and its Docker volume with all data. Refused (409) while a container mounts it "
            "(`volume_in_use`; also when the container's previous spec, kept for rollback, does), while it has snapshots "
            "(`volume_has_snapshots`: delete them first, so no archive is orphaned) and while it is being created, "
            "restored or deleted (`volume_busy`).",
            True, VOLUME,
            {"204": {"description": "Deleted; no body."},
             "409": error("The volume is mounted, has snapshots, or is busy.", "volume_has_snapshots",
                          "the volume has 2 snapshot(s); delete them first"),
             "503": error("The container runtime could not remove the volume; nothing changed.", "orchestration_failed",
                          "the volume could not be removed from the container runtime; try again later")}),
    },
    "/api/caas/volumes/{volumeId}/snapshots": {
        "get": operation("listVolumeSnapshots", "List a volume's snapshots", "viewer", "Newest first.", False, VOLUME + PAGE,
                         {"200": json_body("VolumeSnapshotPage", "A page of snapshots.")}),
        "post": operation(
            "createVolumeSnapshot", "Snapshot a volume", "developer",
            "Starts a snapshot and answers at once with it `pending`; poll GET .../snapshots/{snapshotId} until `completed` "
            "(with size_bytes and sha256) or `failed` (with error). A short-lived platform helper task mounts the volume "
            "read-only and archives its files with tar; a volume mounted by running containers is archived as it is "
            "(crash-consistent). One snapshot of a volume at a time.",
            True, VOLUME,
            {"202": json_body("VolumeSnapshot", "The snapshot, `pending`."),
             "409": error("A snapshot of the volume is already being made (`snapshot_in_progress`), or the volume is being "
                          "created, restored or deleted (`volume_busy`).", "snapshot_in_progress",
                          "a snapshot of this volume is already being made; wait for it to finish")}),
    },
    "/api/caas/volumes/{volumeId}/snapshots/{snapshotId}": {
        "get": operation("getVolumeSnapshot", "Get a snapshot", "viewer", "A snapshot of the volume.", False, SNAPSHOT,
                         {"200": json_body("VolumeSnapshot", "The snapshot.")}),
        "delete": operation(
            "deleteVolumeSnapshot", "Delete a snapshot", "developer",
            "Deletes the snapshot and its archive. Refused (409) while it is being made (`snapshot_in_progress`) or a "
            "restore reads it (`snapshot_in_use`).",
            True, SNAPSHOT,
            {"204": {"description": "Deleted; no body."},
             "409": error("The snapshot is being made or restored from.", "snapshot_in_use",
                          "a restore from this snapshot is in progress")}),
    },
    "/api/caas/volumes/{volumeId}/snapshots/{snapshotId}/restore": {
        "post": operation(
            "restoreVolumeSnapshot", "Restore a snapshot", "developer",
            "Restores a `completed` snapshot, after checking its archive's SHA-256, into the snapshot's own volume "
            "(`target` `same`: its files are deleted first and replaced; refused while a container mounts it or a snapshot "
            "of it is being made) or into a new volume `name` of the same size (`target` `new`: counted against the plan "
            "like a create). Answers at once with the target volume, `restoring` (restore_snapshot_id names the snapshot); "
            "poll GET /api/caas/volumes/{id} until it is `available`, or `failed` with status_reason.",
            True, SNAPSHOT,
            {"202": json_body("Volume", "The volume being restored into, `restoring`."),
             "409": error("The snapshot is not completed (`snapshot_not_completed`), the volume is mounted (`volume_in_use`) "
                          "or busy (`volume_busy`), or the new name is taken (`volume_name_taken`).",
                          "snapshot_not_completed", "the snapshot is running; only a completed snapshot can be restored"),
             "422": error("A plan limit would be exceeded by the new volume (`quota_exceeded`), or no X-Organization-Id and "
                          "no personal organization.", "quota_exceeded",
                          "quota exceeded (max_volume_gb): volume storage is limited to 5 GB in total on plan 'hobby' (5 GB in use, 1 GB requested)")},
            body="RestoreVolumeSnapshotRequest"),
    },
}


def main():
    doc = json.loads(DOC.read_text())
    doc["components"]["schemas"].update(SCHEMAS)
    doc["components"]["parameters"].update(PARAMETERS)
    doc["paths"].update(PATHS)
    DOC.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
