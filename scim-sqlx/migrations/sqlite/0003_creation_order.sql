-- Creation order within a tenant and type: SQLite appends the rowid to every index, so
-- this index is (tenant, resource_type, rowid). Lists in creation order and the batched
-- scan of filters the translator cannot answer exactly (`rowid > ?` … `LIMIT 500`) read
-- it as a range instead of sorting the tenant's rows for every batch.
CREATE INDEX IF NOT EXISTS scim_resources_seq ON scim_resources (tenant, resource_type);
