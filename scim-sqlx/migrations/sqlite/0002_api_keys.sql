-- API keys (scim_core::auth::ApiKeyStorage): the SHA-256 hash of each secret, never the
-- secret. One row per key; the unique hash makes a key configured at every start (and
-- two processes inserting it at once) one row.

CREATE TABLE IF NOT EXISTS scim_api_keys (
    -- The public id, for revoking.
    id           TEXT NOT NULL PRIMARY KEY,
    tenant       TEXT NOT NULL,
    -- SHA-256 of the secret (32 bytes).
    hash         BLOB NOT NULL UNIQUE,
    -- The scopes, a JSON array of strings.
    scopes       TEXT NOT NULL,
    label        TEXT NOT NULL,
    -- The first characters of a generated secret; empty for a given one.
    hint         TEXT NOT NULL,
    -- RFC 3339 instants in UTC with nine fraction digits: text order is time order.
    created_at   TEXT NOT NULL,
    last_used_at TEXT
);

-- A tenant's keys, oldest first.
CREATE INDEX IF NOT EXISTS scim_api_keys_tenant ON scim_api_keys (tenant, created_at, id);
