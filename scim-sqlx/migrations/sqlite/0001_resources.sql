-- Resources as JSON documents, with the columns clients query (RFC 7644 §3.4.2)
-- indexed. SQLite compares text with BINARY (memcmp): code point order for UTF-8,
-- as RFC 7644 §3.4.2.3 and the library's evaluator sort. `rowid` is creation order.

CREATE TABLE IF NOT EXISTS scim_resources (
    tenant        TEXT    NOT NULL,
    resource_type TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    -- 'User' or 'Group' for resources that take part in membership, else NULL.
    kind          TEXT,
    version       INTEGER NOT NULL,
    -- RFC 3339 instants in UTC with nine fraction digits: text order is time order.
    created       TEXT    NOT NULL,
    last_modified TEXT    NOT NULL,
    -- Folded with scim_core::fold_case (userName and displayName are not caseExact).
    user_name     TEXT,
    display_name  TEXT,
    external_id   TEXT,
    -- The `display` of this resource as a group member or group (displayName, else userName).
    display       TEXT,
    -- The document as stored (JSON text): no id, meta, members or groups.
    doc           TEXT    NOT NULL,
    -- The search projection the filter translator reads (see search.rs).
    search        TEXT    NOT NULL,
    PRIMARY KEY (tenant, resource_type, id)
);

CREATE INDEX IF NOT EXISTS scim_resources_user_name
    ON scim_resources (tenant, resource_type, user_name, id);
CREATE INDEX IF NOT EXISTS scim_resources_display_name
    ON scim_resources (tenant, resource_type, display_name, id);
CREATE INDEX IF NOT EXISTS scim_resources_external_id
    ON scim_resources (tenant, resource_type, external_id, id);
CREATE INDEX IF NOT EXISTS scim_resources_last_modified
    ON scim_resources (tenant, resource_type, last_modified, id);
CREATE INDEX IF NOT EXISTS scim_resources_id
    ON scim_resources (tenant, id);

-- One row per unique value: userName (folded), a Group's displayName, every
-- `uniqueness: server` attribute. The primary key makes racing writers conflict.
CREATE TABLE IF NOT EXISTS scim_unique (
    tenant        TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    attribute     TEXT NOT NULL,
    value         TEXT NOT NULL,
    id            TEXT NOT NULL,
    PRIMARY KEY (tenant, resource_type, attribute, value)
);
CREATE INDEX IF NOT EXISTS scim_unique_id ON scim_unique (tenant, resource_type, id);

-- Group membership, one row per member, indexed from both ends: adding or removing a
-- member never rewrites the group's document. `rowid` is insertion order.
CREATE TABLE IF NOT EXISTS scim_members (
    tenant      TEXT NOT NULL,
    group_id    TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    -- The member's resource type name ('User', 'Group').
    member_type TEXT NOT NULL,
    -- The `display` the client sent, if any.
    display     TEXT,
    PRIMARY KEY (tenant, group_id, member_id)
);
CREATE INDEX IF NOT EXISTS scim_members_member ON scim_members (tenant, member_id, group_id);
