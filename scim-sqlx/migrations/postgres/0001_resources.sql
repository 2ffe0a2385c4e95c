-- Resources as documents, with the columns clients query (RFC 7644 §3.4.2) indexed.
-- Text columns use the "C" collation: code point order, as RFC 7644 §3.4.2.3 and the
-- library's evaluator sort, whatever the database's default locale.

CREATE TABLE IF NOT EXISTS scim_resources (
    tenant        TEXT   NOT NULL COLLATE "C",
    resource_type TEXT   NOT NULL COLLATE "C",
    id            TEXT   NOT NULL COLLATE "C",
    -- Creation order: the order of unsorted lists and of their cursors.
    seq           BIGINT GENERATED ALWAYS AS IDENTITY,
    -- 'User' or 'Group' for resources that take part in membership, else NULL.
    kind          TEXT   COLLATE "C",
    version       BIGINT NOT NULL,
    -- RFC 3339 instants in UTC with nine fraction digits: text order is time order.
    created       TEXT   NOT NULL COLLATE "C",
    last_modified TEXT   NOT NULL COLLATE "C",
    -- Folded with scim_core::fold_case (userName and displayName are not caseExact).
    user_name     TEXT   COLLATE "C",
    display_name  TEXT   COLLATE "C",
    external_id   TEXT   COLLATE "C",
    -- The `display` of this resource as a group member or group (displayName, else userName).
    display       TEXT,
    -- The document as stored: no id, meta, members or groups.
    doc           JSONB  NOT NULL,
    -- The search projection the filter translator reads (see search.rs).
    search        JSONB  NOT NULL,
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
CREATE INDEX IF NOT EXISTS scim_resources_seq
    ON scim_resources (tenant, resource_type, seq);
CREATE INDEX IF NOT EXISTS scim_resources_id
    ON scim_resources (tenant, id);

-- One row per unique value: userName (folded), a Group's displayName, every
-- `uniqueness: server` attribute. The primary key makes racing writers conflict.
CREATE TABLE IF NOT EXISTS scim_unique (
    tenant        TEXT NOT NULL COLLATE "C",
    resource_type TEXT NOT NULL COLLATE "C",
    attribute     TEXT NOT NULL COLLATE "C",
    value         TEXT NOT NULL COLLATE "C",
    id            TEXT NOT NULL COLLATE "C",
    PRIMARY KEY (tenant, resource_type, attribute, value)
);
CREATE INDEX IF NOT EXISTS scim_unique_id ON scim_unique (tenant, resource_type, id);

-- Group membership, one row per member, indexed from both ends: adding or removing a
-- member never rewrites the group's document.
CREATE TABLE IF NOT EXISTS scim_members (
    tenant      TEXT   NOT NULL COLLATE "C",
    group_id    TEXT   NOT NULL COLLATE "C",
    member_id   TEXT   NOT NULL COLLATE "C",
    -- The member's resource type name ('User', 'Group').
    member_type TEXT   NOT NULL COLLATE "C",
    -- The `display` the client sent, if any.
    display     TEXT,
    seq         BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (tenant, group_id, member_id)
);
CREATE INDEX IF NOT EXISTS scim_members_member ON scim_members (tenant, member_id, group_id);
CREATE INDEX IF NOT EXISTS scim_members_order ON scim_members (tenant, group_id, seq);
